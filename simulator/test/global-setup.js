// Runs once before the package's tests. `npm test` builds first (pretest): the shell and the CLI run from dist/.
const fs = require('node:fs');
const path = require('node:path');

module.exports = async function globalSetup() {
  const entry = path.join(__dirname, '..', 'dist', 'shell', 'cli.js');
  if (!fs.existsSync(entry)) {
    throw new Error(`${entry} is missing: run "npm test" (which builds first) or "npm run build" before jest`);
  }
};
