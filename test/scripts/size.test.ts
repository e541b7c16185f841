// `npm run size`: every tracked code file is counted once, in one area (the first that takes it), and comment lines
// are not code.
import fs from 'node:fs';
import path from 'node:path';
import { AREAS, areaOf, countLines, isCode, measure, trackedFiles } from '../../scripts/size';

const ROOT = path.join(__dirname, '..', '..');

test('every tracked code file is counted, once', () => {
  const files = trackedFiles(ROOT).filter(isCode);
  expect(files.length).toBeGreaterThan(100);
  const unclassified = files.filter((file) => !AREAS.some((a) => a.test(file)));
  expect(unclassified).toEqual([]);
  const counted = Object.values(measure(ROOT)).reduce((n, s) => n + s.files, 0);
  expect(counted).toBe(files.filter((f) => fs.existsSync(path.join(ROOT, f))).length);
});

test.each([
  ['workflows/rotate.ts', 'service'],
  ['activities/powershell/render.ts', 'service'],
  ['test/powershell/sim.ts', 'service tests'],
  ['scripts/demo.ts', 'service tooling'],
  ['bin/simulated-exchange-shell', 'service tooling'],
  ['jest.config.js', 'service tooling'],
  ['simulator/exchange/model.ts', 'simulator'],
  ['simulator/bin/simulated-exchange-shell', 'simulator'],
  ['simulator/test/exchange/helpers.ts', 'simulator tests'],
])('%s is counted as %s', (file, area) => {
  expect(isCode(file)).toBe(true);
  expect(areaOf(file)).toBe(area);
});

test('documentation, data and fixtures are not code', () => {
  for (const file of ['README.md', 'package.json', 'test/fixtures/ps51/get-date.stdout', 'Dockerfile']) {
    expect(isCode(file)).toBe(false);
  }
});

test('blank lines and comment-only lines are lines but not code', () => {
  const text = [
    '#!/usr/bin/env node',
    '// a comment',
    '',
    '/**',
    ' * a block',
    ' */',
    'const a = 1; // trailing',
    '/* inline */ const b = 2;',
    '/* one line */',
    '  return a + b;',
    '',
  ].join('\n');
  expect(countLines(text)).toEqual({ lines: 10, code: 3 });
});
