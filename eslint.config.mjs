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

/** The simulator's package name: the only way anything outside simulator/ may import it. */
const SIMULATOR_PACKAGE = 'simulated-exchange';
/** The service's production folders: they never import the simulator (worker/start.ts runs its CLI as a program). */
const PRODUCTION = ['common', 'workflows', 'activities', 'worker', 'client'];

const noSimulatorInProduction = {
  group: [SIMULATOR_PACKAGE, `${SIMULATOR_PACKAGE}/**`, '**/simulator', '**/simulator/**'],
  message: 'Production code must not import the simulator; it runs the simulated shell and CLI as programs.',
};
const simulatorByName = {
  group: ['**/simulator', '**/simulator/**'],
  message: `Import the simulator by its package name, '${SIMULATOR_PACKAGE}'.`,
};

/** A module specifier (import, export, import(), require()) matching `regex` is an error with `message`. */
function forbidSpecifiers(regex, message) {
  const literal = `/${regex.source}/`; // RegExp#source escapes its slashes, as esquery's regex literal needs
  return [
    { selector: `ImportExpression > Literal.source[value=${literal}]`, message },
    { selector: `CallExpression[callee.name='require'] > Literal.arguments[value=${literal}]`, message },
    {
      selector: `CallExpression[callee.object.name='require'][callee.property.name='resolve'] > Literal.arguments[value=${literal}]`,
      message,
    },
  ];
}

/**
 * The simulator is its own package and independent of the service: a file `depth` folders below the repository root
 * may not reach above simulator/ with `../`, nor import the service's package.
 */
function simulatorBoundary(depth) {
  const message =
    'The simulator is a package of its own: it must not import the service or anything outside simulator/.';
  const escape = new RegExp(`^(\\.\\./){${depth},}`);
  return {
    files: [`simulator/${'*/'.repeat(depth - 1)}*.{ts,js}`],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'exchange-auth-cert-rotation', message }], patterns: [{ regex: escape.source, message }] },
      ],
      'no-restricted-syntax': ['error', ...forbidSpecifiers(escape, message)],
    },
  };
}

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '.tools/**',
      'coverage/**',
      'test-artifacts/**',
      'bin/**',
      'scripts/*.js',
    ],
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
      parserOptions: {
        project: ['./tsconfig.json', './simulator/tsconfig.json'],
        tsconfigRootDir: import.meta.dirname,
      },
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
            noSimulatorInProduction,
          ],
        },
      ],
      'no-restricted-globals': ['error', 'process', 'setTimeout', 'setInterval', 'require'],
    },
  },
  // The simulator is written independently of the PowerShell layer it is tested against: it is a package of its own.
  ...[1, 2, 3, 4, 5, 6].map(simulatorBoundary),
  {
    files: PRODUCTION.map((folder) => `${folder}/**/*.ts`),
    rules: {
      'no-restricted-syntax': [
        'error',
        ...forbidSpecifiers(
          new RegExp(`^${SIMULATOR_PACKAGE}(/|$)|(^|/)simulator(/|$)`),
          noSimulatorInProduction.message,
        ),
      ],
    },
  },
  {
    // workflows/ and common/ have their own list above, which names the simulator too.
    files: ['activities/**/*.ts', 'worker/**/*.ts', 'client/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [noSimulatorInProduction] }] },
  },
  {
    // Tests, the demo and benchmarks use the simulator as any other package's user would.
    files: ['test/**/*.{ts,js}', 'scripts/**/*.ts', 'bench/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [simulatorByName] }],
      'no-restricted-syntax': ['error', ...forbidSpecifiers(/(^|\/)simulator(\/|$)/, simulatorByName.message)],
    },
  },
);
