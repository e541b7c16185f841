/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }] },
  globalSetup: '<rootDir>/test/global-setup.js',
  // Tests start real processes (shells, Temporal servers); two cores are shared between them.
  maxWorkers: 2,
  testTimeout: 120000,
};
