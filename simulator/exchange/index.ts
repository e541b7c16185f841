// The simulator's programmatic API for the demo, the CLI and tests.
export { createOrganization, loadOrganization, withOrganization, summarizeOrganization } from './organisation';
export type { OrganizationSummary, ServerView, CertificateView, CreateOptions } from './organisation';
export { SCENARIOS, SCENARIO_NAMES, UnknownScenarioError, buildScenario } from './scenarios';
export type { ScenarioName } from './scenarios';
export { injectFault, clearFaults } from './faults';
export { advanceClock, setAcceleration, simulatedNow, signInProbe, catchUp } from './behaviour';
export { createExchangeHost, STATE_ENV } from './host';
export { StateFileError, FAULT_KINDS } from './model';
export type { Organisation, Fault, FaultKind } from './model';
