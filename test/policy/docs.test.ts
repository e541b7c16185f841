// docs/rotation.md is rendered from the paths as declared; it must say what the workflow runs.
import fs from 'node:fs';
import path from 'node:path';
import { renderRotationDocs } from '../../scripts/rotation-docs';

test('docs/rotation.md is current (npm run docs rewrites it)', () => {
  const file = path.join(__dirname, '..', '..', 'docs', 'rotation.md');
  expect(fs.readFileSync(file, 'utf8')).toBe(renderRotationDocs());
});
