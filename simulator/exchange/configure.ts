// Behaviours of the organisation that a test or a person switches on: how Exchange differs between builds and
// deployments in ways the service must cope with. Each is off (as before) unless asked for; `sim create` and
// `sim configure` set them, and so do `createOrganization` and `configureOrganization` for tests.
import { z } from 'zod';
import { EVENT_2014_ON, findServer, Organisation } from './model';

export const configurationSchema = z.object({
  /** Which servers write event 2014 when the current certificate changes. */
  event2014On: z.enum(EVENT_2014_ON).optional(),
  /** Whether Get-OrganizationConfig lists EnableAuthAdminReadSession (not a documented property). */
  readSessionListed: z.boolean().optional(),
  /** Serialized data signing: with the current Auth certificate expired, certificate objects are RawData only. */
  serializedDataSigning: z.boolean().optional(),
  /** Servers whose firewall refuses remote event-log RPC (WinRM still works), by name; `all` for every server. */
  remoteEventLogBlocked: z.array(z.string().min(1)).optional(),
  /** Servers whose remote event-log RPC answers again. */
  remoteEventLogOpen: z.array(z.string().min(1)).optional(),
});
export type Configuration = z.infer<typeof configurationSchema>;

export class UnknownServerError extends Error {
  constructor(name: string, org: Organisation) {
    super(`unknown server "${name}": the organisation has ${org.servers.map((s) => s.name).join(', ')} (or "all")`);
    this.name = 'UnknownServerError';
  }
}

function serversNamed(org: Organisation, names: string[]) {
  if (names.some((n) => n.toLowerCase() === 'all')) return org.servers;
  return names.map((n) => {
    const s = findServer(org, n);
    if (!s) throw new UnknownServerError(n, org);
    return s;
  });
}

/** Applies what `c` names and leaves everything else; names an unknown server before changing anything. */
export function configure(org: Organisation, c: Configuration): void {
  const blocked = serversNamed(org, c.remoteEventLogBlocked ?? []);
  const open = serversNamed(org, c.remoteEventLogOpen ?? []);
  if (c.event2014On !== undefined) org.behaviour.event2014On = c.event2014On;
  if (c.readSessionListed !== undefined) org.organizationConfig.readSessionListed = c.readSessionListed;
  if (c.serializedDataSigning !== undefined) org.organizationConfig.serializedDataSigning = c.serializedDataSigning;
  for (const s of blocked) s.remoteEventLogBlocked = true;
  for (const s of open) s.remoteEventLogBlocked = false;
}
