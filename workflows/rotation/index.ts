// rotateAuthCertificate: carries an Exchange organisation from one Auth certificate to the next over two or more days.
// It inspects, decides a path (common/policy), and follows that path's declared steps (common/paths.ts), one phase file
// each; its state is what continue-as-new carries. Read top to bottom:
import {
  ApplicationFailure,
  ContinueAsNew,
  isCancellation,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { ROTATION_ERROR_TYPES } from '../../common/failures';
import { ORGANIZATION_PATTERN } from '../../common/names';
import {
  describeInputIssues,
  parseRotationInput,
  rotationPlacementIssues,
  type RotationReport,
} from '../../common/rotation';
import {
  organizationSearchAttribute,
  outcomeSearchAttribute,
  phaseSearchAttribute,
} from '../../common/search-attributes';
import { reportQuery, statusQuery } from '../messages';
import { nowIso, Rotation } from './context';
import { cancelled, failed, finish } from './finish';
import { registerHcwHandlers } from './hcw';
import { decide, inspect } from './inspect';
import { carriedStateSchema, initialState, type CarriedState } from './state';
import { statusOf } from './status';
import { followPath } from './steps';

export type { CarriedState };

export async function rotateAuthCertificate(rawInput: unknown, rawCarried?: unknown): Promise<RotationReport> {
  const r = start(rawInput, rawCarried);
  registerHandlers(r);
  upsertSearchAttributes([
    { key: organizationSearchAttribute, value: r.input.organization.toLowerCase() },
    { key: phaseSearchAttribute, value: r.state.phase },
  ]);
  r.publishDetails();
  try {
    for (;;) {
      if (r.state.cursor.path === null) {
        await inspect(r);
        const next = await decide(r);
        if (next === 'look-again') continue;
        if (next === 'finish') break;
      }
      if ((await followPath(r)) === 'ended') break;
    }
    return await finish(r);
  } catch (error) {
    if (error instanceof ContinueAsNew) throw error;
    if (isCancellation(error)) {
      cancelled(r);
      throw error;
    }
    throw await failed(r, error);
  }
}

/** Both arguments validated, and the run placed where its organisation's rotation belongs; else it fails at once. */
function start(rawInput: unknown, rawCarried: unknown): Rotation {
  const parsed = parseRotationInput(rawInput);
  if (!parsed.ok) refuse(rawInput, parsed.message);
  const input = parsed.input;
  const issues = rotationPlacementIssues(input.organization, workflowInfo());
  if (issues.length > 0) refuse(rawInput, issues.join('\n'));
  if (rawCarried === undefined) {
    return new Rotation(input, initialState(input.organization, workflowInfo().workflowId, nowIso()), rawInput);
  }
  const carried = carriedStateSchema.safeParse(rawCarried);
  if (!carried.success) {
    refuse(rawInput, describeInputIssues(carried.error).replace(/^input\./gm, 'carried.'));
  }
  return new Rotation(input, carried.data.state, rawInput);
}

/** Fails the run at once, searchable by organisation and outcome like any other (the ID names the organisation). */
function refuse(rawInput: unknown, message: string): never {
  const given = (rawInput as { organization?: unknown } | null)?.organization;
  const fromId = workflowInfo().workflowId.split('.').slice(1).join('.');
  const organization = typeof given === 'string' && ORGANIZATION_PATTERN.test(given) ? given : fromId;
  upsertSearchAttributes([
    ...(ORGANIZATION_PATTERN.test(organization)
      ? [{ key: organizationSearchAttribute, value: organization.toLowerCase() }]
      : []),
    { key: phaseSearchAttribute, value: 'failed' },
    { key: outcomeSearchAttribute, value: 'failed' },
  ]);
  throw ApplicationFailure.nonRetryable(message, ROTATION_ERROR_TYPES.invalidInput);
}

function registerHandlers(r: Rotation): void {
  setHandler(statusQuery, () => statusOf(r.state), {
    description: 'Phase, steps, servers, what the run waits for and what a person must do now',
  });
  setHandler(reportQuery, () => r.report, { description: 'The report so far, as the run returns it when it ends' });
  registerHcwHandlers(r);
}
