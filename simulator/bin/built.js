// The launchers run the compiled package: say how to build it rather than fail with a module-not-found trace.
'use strict';
const path = require('node:path');
const fs = require('node:fs');

/** Requires `dist/<relative>` of this package, or exits 1 naming the missing file and the command that makes it. */
module.exports = function requireBuilt(program, relative) {
  const entry = path.join(__dirname, '..', 'dist', relative);
  if (!fs.existsSync(entry)) {
    process.stderr.write(`${program}: ${entry} is missing; run "npm run build" first.\n`);
    process.exit(1);
  }
  return require(entry);
};
