// The organisation and the shell for a program that runs them in its own process rather than as the
// simulated-exchange-shell program: the service's scenario explorer feeds the shell's interpreter one line at a time
// and edits the organisation between calls. Internal pieces, exported for that one use; the rest of the API is index.ts.
export {
  announceCurrent,
  authAdminCanRun,
  AUTH_ADMIN_EVENT_ID,
  AUTH_ADMIN_PROVIDER,
  ECP_POOL,
  lastRunAtOrBefore,
  OWA_POOL,
  restartServiceHost,
} from './exchange/behaviour';
export {
  AUTH_CERT_FRIENDLY_NAME,
  AUTH_CERT_SUBJECT,
  DEFAULT_CERT_FRIENDLY_NAME,
  makeCertificate,
} from './exchange/certificates';
export { scriptKeyCredential } from './exchange/scenarios';
export { EXCHANGE_CMDLET_NAMES } from './exchange/cmdlets';
export { transientRpcError } from './exchange/faults';
export { findServer, organisationSchema } from './exchange/model';
export type { Certificate, Server } from './exchange/model';
export { readState, withFileLock, writeStateAtomically } from './exchange/store';
export { BUILTIN_CMDLETS } from './shell/builtins';
export { ExitSignal } from './shell/errors';
export { Interpreter } from './shell/evaluator';
export { toOemCodePage } from './shell/main';
export { PSSecureString } from './shell/types';
export type { CmdletSpec, PSValue } from './shell/types';
