/** @type {import('jest').Config} */
module.exports = {
  // Tests start real processes (shells, Temporal servers); two cores are shared between them.
  maxWorkers: 2,
  // Global, not per project: Jest reads the test timeout from the root configuration only.
  testTimeout: 120000,
  projects: [
    {
      displayName: 'service',
      rootDir: __dirname,
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.test.ts'],
      transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }] },
      globalSetup: '<rootDir>/test/global-setup.js',
    },
    // The simulated-exchange package keeps its own configuration, so `npm test -w simulated-exchange` runs the same.
    '<rootDir>/simulator',
  ],
};
