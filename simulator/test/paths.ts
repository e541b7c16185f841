// Where the package's built program lives, for tests that run it as a separate process (the shell, the CLI).
import * as path from 'node:path';

export const PACKAGE_ROOT = path.resolve(__dirname, '..');
/** The compiled package: `npm test` builds it first (pretest), and the global setup checks it is there. */
export const DIST = path.join(PACKAGE_ROOT, 'dist');
export const SHELL = path.join(PACKAGE_ROOT, 'bin', 'simulated-exchange-shell');
export const CLI = path.join(DIST, 'cli.js');
