// The dialect contract: every command line docs/powershell-dialect.md shows is valid PowerShell, so the simulated
// shell's parser (written independently of the service's renderer) must parse it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseScript } from 'simulated-exchange';
import { nth } from '../helpers/present';

const doc = readFileSync(path.join(__dirname, '..', '..', 'docs', 'powershell-dialect.md'), 'utf8');
const blocks = [...doc.matchAll(/```\n([\s\S]*?)```/g)].map((m) => nth(m, 1, 'code block'));
const inline = [
  ...doc.matchAll(/^\s*`(\$ErrorActionPreference[^`]*|\$s = New-PSSession[^`]*|Add-PSSnapin[^`]*)`\s*$/gm),
].map((m) => nth(m, 1, 'inline code'));
// The error sample (Get-Foo ... + FullyQualifiedErrorId) is shell output, not input.
const lines = [...blocks.flatMap((b) => b.split('\n')), ...inline]
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('Get-Foo') && !l.startsWith('At line') && !l.startsWith('+'));

test('the document has example lines', () => {
  expect(lines.length).toBeGreaterThan(10);
});

test.each(lines.map((l) => [l]))('%s', (line) => {
  expect(() => parseScript(line.replace('<pipeline>', "Get-Widget -Name 'x'"))).not.toThrow();
});
