// The simulator's programmatic API for the demo, the CLI and tests.
export {
  createOrganization,
  configureOrganization,
  loadOrganization,
  withOrganization,
  summarizeOrganization,
} from './organisation';
export { configure, configurationSchema, UnknownServerError } from './configure';
export type { Configuration } from './configure';
export type { OrganizationSummary, ServerView, CertificateView, CreateOptions } from './organisation';
export {
  SCENARIOS,
  SCENARIO_NAMES,
  UnknownScenarioError,
  buildScenario,
  DEFAULT_WEB_SITE_CERTIFICATES,
} from './scenarios';
export type { ScenarioName, DefaultWebSiteCertificate } from './scenarios';
export { injectFault, clearFaults } from './faults';
export { advanceClock, setAcceleration, simulatedNow, signInProbe, catchUp } from './behaviour';
export { createExchangeHost, STATE_ENV } from './host';
export { StateFileError, FAULT_KINDS, EVENT_2014_ON } from './model';
export type { Organisation, Fault, FaultKind, Event2014On } from './model';
