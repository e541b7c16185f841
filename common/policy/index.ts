// Pure decisions over what the rotation has seen, each a named check returning a reason code and a message (cert-manager
// style). The workflow calls them; the tests check them in tables. No I/O, no clock: time comes in.
export * from './findings';
export * from './facts';
export * from './path';
export * from './dates';
export * from './replication';
export * from './publication';
export * from './hcw';
