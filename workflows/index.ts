// The worker's workflowsPath: every workflow type this service runs.
export { rotateAuthCertificate } from './rotate';
export { checkAuthCertificate } from './check';
