/** @type {import('jest').Config} */
module.exports = {
  displayName: 'simulator',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }] },
  globalSetup: '<rootDir>/test/global-setup.js',
  // Read from here when the package's tests run alone (the root configuration sets its own); the number of workers,
  // which a project may not set, is on the command line of the package's test script.
  testTimeout: 120000,
};
