// Every test file belongs to exactly one tier script (test:unit, test:integration, test:e2e), so running the three
// runs everything `npm test` runs, once. The scripts' arguments are Jest's: path patterns, and ignore patterns after
// --testPathIgnorePatterns.
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/temporal';
import { present } from '../helpers/present';

const TIERS = ['test:unit', 'test:integration', 'test:e2e'] as const;
const scripts = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).scripts as Record<
  string,
  string
>;

function testFiles(dir: string): string[] {
  return fs.readdirSync(path.join(REPO_ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'dist' ? [] : testFiles(rel);
    return entry.name.endsWith('.test.ts') ? [rel] : [];
  });
}

function selects(script: string): (file: string) => boolean {
  const patterns: string[] = [];
  const ignored: string[] = [];
  let target = patterns;
  for (const arg of script.replace(/^jest\s+/, '').split(/\s+/)) {
    if (arg === '--testPathIgnorePatterns') target = ignored;
    else if (arg === '--') target = patterns;
    else target.push(arg);
  }
  return (file) =>
    patterns.some((p) => new RegExp(p).test(file)) && !ignored.some((p) => new RegExp(p).test(`/${file}`));
}

const tiers = TIERS.map((tier) => ({ tier, selects: selects(present(scripts[tier], `script ${tier}`)) }));

test.each(['test', 'simulator/test'].flatMap(testFiles))('%s is in exactly one tier', (file) => {
  expect(tiers.filter((t) => t.selects(file)).map((t) => t.tier)).toHaveLength(1);
});
