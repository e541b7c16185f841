// The worker's workflowsPath: every workflow type this service runs.
export { rotateAuthCertificate } from './rotation';
export { checkAuthCertificate } from './check';
