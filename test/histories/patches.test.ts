// The versioning rule, checked: patched() is asked only through the registry, and every registered patch keeps the
// history recorded before its change, which the replay test replays.
import fs from 'node:fs';
import path from 'node:path';
import { PATCHES } from '../../workflows/rotation/patches';

const WORKFLOWS = path.join(__dirname, '..', '..', 'workflows');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? sources(full) : entry.name.endsWith('.ts') ? [full] : [];
  });
}

test('workflow code calls patched() or deprecatePatch() only in the registry', () => {
  const callers = sources(WORKFLOWS).filter((file) =>
    /\b(patched|deprecatePatch)\(/.test(fs.readFileSync(file, 'utf8')),
  );
  expect(callers.map((file) => path.relative(WORKFLOWS, file))).toEqual([path.join('rotation', 'patches.ts')]);
});

test('every registered patch has a reason, a date and a committed history', () => {
  for (const [id, entry] of Object.entries(PATCHES)) {
    expect({ id, reason: entry.reason.length > 20, since: /^\d{4}-\d{2}-\d{2}$/.test(entry.since) }).toEqual({
      id,
      reason: true,
      since: true,
    });
    expect(fs.existsSync(path.join(__dirname, `${entry.fixture}.json`))).toBe(true);
  }
});
