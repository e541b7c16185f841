// The simulated Entra ID and Microsoft Graph: the tenant in the organisation's state file, its HTTPS endpoint, and
// what tests and the demo use to set it up and look at it.
export { startEntraEndpoint } from './server';
export type { EntraEndpoint, EntraEndpointOptions } from './server';
export { GRAPH_PERMISSIONS, GRAPH_FAULT_KINDS } from './model';
export type { Entra, Application, GraphPermission, GraphFault, GraphFaultKind, StoredKeyCredential } from './model';
export { issueCertificate } from './x509';
export type { IssuedCertificate } from './x509';
export { registerGraphClient, injectGraphFault, clearGraphFaults, readHybridApplication } from './admin';
export type { ServiceClientRequest } from './tenant';
