// Runs once before all test files. `npm test` builds first (pretest); the simulated shell runs from dist/.
const fs = require('node:fs');
const path = require('node:path');

module.exports = async function globalSetup() {
  const shell = path.join(__dirname, '..', 'dist', 'simulator');
  if (!fs.existsSync(shell)) {
    throw new Error(`dist/ is missing: run "npm test" (which builds first) or "npm run build" before jest`);
  }
};
