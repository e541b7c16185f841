// The simulated-exchange package: a simulated Exchange organisation and the Exchange Management Shell in front of it.
// Tests, the demo and benchmarks import this; the service's production code never does (it starts the shell and the
// CLI as programs), and nothing here imports the service.
import * as path from 'node:path';

export * from './exchange';
export * from './entra';
export { parseScript, ParseError } from './shell';

/** The shell executable node-powershell starts in place of powershell.exe (reads EXCHANGE_SIM_STATE). */
export const SIMULATED_SHELL = path.join(__dirname, '..', 'bin', 'simulated-exchange-shell');
/** The `sim` command line (create, show, advance, clock, fault), to run as `node SIMULATOR_CLI <args>`. */
export const SIMULATOR_CLI = path.join(__dirname, 'cli.js');
export * from './embed';
