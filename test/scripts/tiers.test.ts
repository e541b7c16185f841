// Every test file belongs to exactly one tier script (test:unit, test:integration, test:e2e), so running the three
// runs everything `npm test` runs, once.
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/temporal';

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

const folders = Object.fromEntries(
  TIERS.map((tier) => [tier, scripts[tier].replace(/^jest\s+/, '').split(/\s+/)] as const),
);

test.each(['test', 'simulator/test'].flatMap(testFiles))('%s is in exactly one tier', (file) => {
  const tiers = TIERS.filter((tier) => folders[tier].some((folder) => file.startsWith(`${folder}/`)));
  expect(tiers).toHaveLength(1);
});
