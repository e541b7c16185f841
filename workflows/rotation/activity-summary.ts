// The one-line summary each activity call shows in the Temporal UI's event history (ActivityOptions.summary): what it
// does and to which servers, so "recycleAuthAppPools" reads "recycle the OWA and ECP pools on EX1, EX2". Pure: built
// from the activity's name and its argument alone.

const WHAT: Record<string, string> = {
  inspectOrganization: 'inspect the organisation (AuthConfig, servers, certificates)',
  readAuthConfig: 'read AuthConfig',
  readServerClock: "read the Exchange server's clock",
  recordTransportCertificates: 'record the internal transport certificates',
  listAuthCertificates: 'list the Auth certificates',
  generateAuthCertificate: 'create the new Auth certificate',
  verifyTransportCertificates: 'verify the internal transport certificates are unchanged',
  stageCertificate: 'stage in AuthConfig the certificate',
  checkReplication: 'look for the certificate',
  copyCertificate: 'copy the certificate',
  restartServiceHost: 'restart MSExchangeServiceHost',
  checkPublication: 'look for event 2014 publishing the certificate',
  readServiceletSchedule: "read the AuthAdmin servicelet's last run",
  diagnoseServicelet: 'diagnose the AuthAdmin servicelet',
  publishCertificateNow: 'publish now the certificate',
  recycleAuthAppPools: 'recycle the OWA and ECP pools',
  checkSignIn: 'test OAuth sign-in',
  readHybridAppKeys: "read the hybrid application's keys in Entra ID",
  addHybridAppKey: 'add the certificate to the hybrid application in Entra ID',
  removeHybridAppKey: 'remove the certificate from the hybrid application in Entra ID',
  notify: 'send a notification',
};

/** At most this many server names; the rest as a count. */
const NAMES_SHOWN = 4;

function nameOf(server: unknown): string | null {
  if (typeof server === 'string') return server;
  if (server && typeof server === 'object' && 'name' in server && typeof server.name === 'string') return server.name;
  return null;
}

function names(list: unknown): string[] {
  return Array.isArray(list) ? list.map(nameOf).filter((n): n is string => n !== null) : [];
}

function serverList(list: string[]): string {
  if (list.length <= NAMES_SHOWN) return list.join(', ');
  return `${list.slice(0, NAMES_SHOWN).join(', ')} and ${list.length - NAMES_SHOWN} more`;
}

export function activitySummary(activity: string, arg: unknown): string {
  const parts = [WHAT[activity] ?? activity];
  const a = (arg && typeof arg === 'object' ? arg : {}) as Record<string, unknown>;
  if (typeof a.thumbprint === 'string') parts.push(a.thumbprint.slice(0, 8));
  const from = nameOf(a.source);
  if (from) parts.push(`from ${from}`);
  const on = [...names(Array.isArray(arg) ? arg : a.servers), ...names(a.targets)];
  const one = nameOf(a.server);
  if (one) on.push(one);
  if (on.length > 0) parts.push(`${from ? 'to' : 'on'} ${serverList(on)}`);
  if (activity === 'notify' && typeof a.kind === 'string') parts.push(`(${a.kind})`);
  return parts.join(' ');
}
