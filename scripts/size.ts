#!/usr/bin/env node
// `npm run size`: how big the service is next to the simulator and the tests, in lines of the TypeScript and JavaScript
// files git tracks. "code" leaves out blank lines and lines holding only a comment. The last line is JSON.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface Area {
  name: string;
  what: string;
  test: (file: string) => boolean;
}
export interface Size {
  files: number;
  lines: number;
  code: number;
}

/** Every tracked code file belongs to exactly one area; the first whose test matches takes it. */
export const AREAS: Area[] = [
  {
    name: 'service',
    what: 'production code: common, workflows, activities, worker, client',
    test: (f) => /^(common|workflows|activities|worker|client)\//.test(f),
  },
  { name: 'service tests', what: 'test/', test: (f) => f.startsWith('test/') },
  {
    name: 'service tooling',
    what: 'scripts, benchmarks, launcher, build and lint configuration',
    test: (f) => /^(scripts|bench|bin)\//.test(f) || !f.includes('/'),
  },
  { name: 'simulator tests', what: 'simulator/test/', test: (f) => f.startsWith('simulator/test/') },
  { name: 'simulator', what: 'the simulated-exchange package', test: (f) => f.startsWith('simulator/') },
];

/** TypeScript and JavaScript sources, and the extensionless launchers in a bin/ folder. */
export function isCode(file: string): boolean {
  return /\.(ts|js|mjs|cjs)$/.test(file) || /(^|\/)bin\/[^/.]+$/.test(file);
}

export function areaOf(file: string): string {
  const area = AREAS.find((a) => a.test(file));
  if (!area) throw new Error(`${file} belongs to no area of scripts/size.js`);
  return area.name;
}

/** Lines, and lines that are neither blank nor only a comment (a line inside a block comment counts as comment). */
export function countLines(text: string): { lines: number; code: number } {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  let code = 0;
  let inBlock = false;
  for (const raw of lines) {
    const line = raw.trim();
    if (inBlock) {
      if (line.includes('*/')) {
        inBlock = false;
        if (line.slice(line.indexOf('*/') + 2).trim() !== '') code++;
      }
      continue;
    }
    if (line === '' || line.startsWith('//') || line.startsWith('#!')) continue;
    if (line.startsWith('/*')) {
      const end = line.indexOf('*/', 2);
      if (end < 0) inBlock = true;
      else if (line.slice(end + 2).trim() !== '') code++;
      continue;
    }
    code++;
  }
  return { lines: lines.length, code };
}

export function trackedFiles(root: string): string[] {
  return execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean);
}

export function measure(root: string): Record<string, Size> {
  const sizes: Record<string, Size> = Object.fromEntries(AREAS.map((a) => [a.name, { files: 0, lines: 0, code: 0 }]));
  for (const file of trackedFiles(root).filter(isCode)) {
    const full = path.join(root, file);
    if (!fs.existsSync(full)) continue; // deleted but not yet staged
    const { lines, code } = countLines(fs.readFileSync(full, 'utf8'));
    const size = sizes[areaOf(file)];
    if (!size) continue;
    size.files++;
    size.lines += lines;
    size.code += code;
  }
  return sizes;
}

export function render(sizes: Record<string, Size>): string {
  const rows = [['area', 'files', 'lines', 'code', 'what']];
  for (const a of AREAS) {
    const s = sizes[a.name] ?? { files: 0, lines: 0, code: 0 };
    rows.push([a.name, String(s.files), String(s.lines), String(s.code), a.what]);
  }
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const width = (i: number) => widths[i] ?? 0;
  return rows
    .map((r) => r.map((c, i) => (i === 0 || i === 4 ? c.padEnd(width(i)) : c.padStart(width(i)))).join('  '))
    .map((line) => line.trimEnd())
    .join('\n');
}

if (require.main === module) {
  const sizes = measure(path.join(__dirname, '..', '..'));
  console.log('Lines of the TypeScript and JavaScript files git tracks (code: without blank and comment-only lines)\n');
  console.log(render(sizes));
  console.log(JSON.stringify(sizes));
}
