// Renders docs/rotation.md from the paths as declared (common/paths.ts): `npm run docs`. A test fails when the file and
// the declaration disagree, so the docs cannot drift from what the workflow runs.
import fs from 'node:fs';
import path from 'node:path';
import { PATHS, STEPS } from '../common/paths';
import { PATH_CHECKS } from '../common/policy';

const PATH_TITLES: Record<keyof typeof PATHS, string> = {
  rotate: 'Planned rotation (`rotate`)',
  resume: 'A certificate staged already (`resume`)',
  'replace-now': 'Emergency: the current certificate is expired or missing (`replace-now`)',
  import: 'Copies of the current certificate missing (`import`)',
  'nothing-to-do': 'Nothing to do (`nothing-to-do`)',
  'stop-unreachable': 'Servers that do not answer (`stop-unreachable`)',
};

export function renderRotationDocs(): string {
  const lines = [
    '# The rotation, step by step',
    '',
    '<!-- Generated from common/paths.ts and common/policy/path.ts by `npm run docs`; edit those, not this file. -->',
    '',
    'Every run inspects the organisation, then the path is chosen by the first of these checks that decides ' +
      '(common/policy/path.ts, in this order):',
    '',
    ...PATH_CHECKS.map((check, i) => `${i + 1}. \`${check.name}\``),
    '',
    'A dry run (`dryRun: true`) stops there and reports the chosen path\u2019s steps as the plan. Otherwise the run ' +
      'follows the path; a step is left out when its condition says so, and the status lists every step with where ' +
      'the run stands.',
  ];
  for (const [name, steps] of Object.entries(PATHS) as Array<[keyof typeof PATHS, readonly (keyof typeof STEPS)[]]>) {
    lines.push('', `## ${PATH_TITLES[name]}`, '');
    if (steps.length === 0) {
      lines.push('No steps: the run finishes after deciding, and says why.');
      continue;
    }
    lines.push('| # | step | phase | what it does | left out |', '|---|---|---|---|---|');
    steps.forEach((id, i) => {
      const step = STEPS[id];
      lines.push(`| ${i + 1} | \`${id}\` | ${step.phase} | ${step.doc} | ${step.skipDoc ?? ''} |`);
    });
  }
  return `${lines.join('\n')}\n`;
}

export const ROTATION_DOCS = path.join(__dirname, '..', '..', 'docs', 'rotation.md');

if (require.main === module) {
  fs.writeFileSync(ROTATION_DOCS, renderRotationDocs());
  process.stdout.write(`wrote ${path.relative(process.cwd(), ROTATION_DOCS)}\n`);
}
