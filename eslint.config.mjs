import tseslint from 'typescript-eslint';

const nodeBuiltins = [
  'assert',
  'buffer',
  'child_process',
  'cluster',
  'crypto',
  'dgram',
  'dns',
  'events',
  'fs',
  'fs/promises',
  'http',
  'http2',
  'https',
  'net',
  'os',
  'path',
  'perf_hooks',
  'process',
  'readline',
  'stream',
  'timers',
  'tls',
  'url',
  'util',
  'vm',
  'worker_threads',
  'zlib',
];

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', '.tools/**', 'coverage/**', 'test-artifacts/**', 'bin/**', 'scripts/*.js'],
  },
  ...tseslint.configs.recommended,
  {
    // Plain CommonJS: Jest's configuration and global setup, the tool installer.
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Workflow code is replayed: it must stay deterministic, so no Node built-ins and no I/O.
    files: ['workflows/**/*.ts', 'common/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.flatMap((m) => [
            { name: m, message: 'Workflow and common code must not import Node built-ins.' },
            { name: `node:${m}`, message: 'Workflow and common code must not import Node built-ins.' },
          ]),
          patterns: [
            {
              group: ['**/activities', '**/activities/**'],
              allowTypeImports: true,
              message: 'Workflows import activities as types only (import type).',
            },
            { group: ['**/simulator/**'], message: 'Production code must not import the simulator.' },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'process', 'setTimeout', 'setInterval', 'require'],
    },
  },
  {
    // The simulator is written independently of the PowerShell layer it is tested against.
    files: ['simulator/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/activities/**'], message: 'The simulator must not share code with activities/powershell.' },
          ],
        },
      ],
    },
  },
  {
    files: ['activities/**/*.ts', 'worker/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/simulator/**'], message: 'Production code must not import the simulator.' }] },
      ],
    },
  },
  {
    // The CLI runs anywhere Temporal is reachable; what it shares with the worker lives in common/.
    files: ['client/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/simulator/**'], message: 'Production code must not import the simulator.' },
            { group: ['**/worker/**', '**/worker'], message: 'The CLI shares code with the worker through common/.' },
          ],
        },
      ],
    },
  },
);
