// Which server a cmdlet acts on: -Server or -Identity, the machine Invoke-Command targets, or the server the shell is
// connected to; and the errors Exchange and Windows give when that server is unknown or does not answer.
import { CmdletContext, PSValue } from '../../shell/types';
import { certificateNotFound, objectNotFound, remotingFailed, rpcUnavailable } from '../errors';
import { domainController, findCertificate, findServer, Organisation, Server } from '../model';
import { str } from './args';

export function connected(org: Organisation): Server {
  return findServer(org, org.connectedServer)!;
}

/** -Server, or the machine the command runs on (Invoke-Command), or the server the shell is connected to. */
export function targetServer(
  org: Organisation,
  cmdlet: string,
  args: Record<string, PSValue>,
  ctx: CmdletContext,
): Server {
  const name = str(args.Server) ?? ctx.computerName ?? org.connectedServer;
  const s = findServer(org, name);
  if (!s) throw objectNotFound(cmdlet, org.connectedServer, name, domainController(org));
  return s;
}

export function reachableServer(
  org: Organisation,
  cmdlet: string,
  args: Record<string, PSValue>,
  ctx: CmdletContext,
): Server {
  const s = targetServer(org, cmdlet, args, ctx);
  if (!s.reachable) throw rpcUnavailable(cmdlet, s);
  return s;
}

/** Windows cmdlets run on the machine Invoke-Command targets (or locally, on the connected server). */
export function localMachine(org: Organisation, ctx: CmdletContext): Server {
  const name = ctx.computerName ?? org.connectedServer;
  const s = findServer(org, name);
  if (!s) throw remotingFailed(name, false);
  if (!s.reachable) throw remotingFailed(name, true);
  return s;
}

/** -Thumbprint or -Identity "SERVER\THUMBPRINT". */
export function thumbprintAndServer(
  org: Organisation,
  cmdlet: string,
  args: Record<string, PSValue>,
  ctx: CmdletContext,
): { server: Server; thumbprint: string | undefined } {
  const identity = str(args.Identity);
  if (identity !== undefined) {
    const i = identity.lastIndexOf('\\');
    if (i > 0) {
      const server = findServer(org, identity.slice(0, i));
      if (!server) throw objectNotFound(cmdlet, org.connectedServer, identity, domainController(org));
      if (!server.reachable) throw rpcUnavailable(cmdlet, server);
      return {
        server,
        thumbprint: identity
          .slice(i + 1)
          .trim()
          .toUpperCase(),
      };
    }
    return { server: reachableServer(org, cmdlet, args, ctx), thumbprint: identity.trim().toUpperCase() };
  }
  const t = str(args.Thumbprint);
  return { server: reachableServer(org, cmdlet, args, ctx), thumbprint: t?.trim().toUpperCase() };
}

export function requireCertificate(cmdlet: string, server: Server, thumbprint: string) {
  const c = findCertificate(server, thumbprint);
  if (!c) throw certificateNotFound(cmdlet, server, thumbprint);
  return c;
}
