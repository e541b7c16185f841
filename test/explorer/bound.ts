// How long a run may take, in Temporal time, derived from its input and its starting organisation: every wait the
// workflow can enter (effective date, a servicelet cycle, the publication watch, the HCW wait, replication, recycle
// rounds), the downtime of every worker kill the scenario allows, and a day for retries. A run past it does not end.
import { DATE_MOVE_STEP_MS, MAX_DATE_MOVES } from '../../common/policy/dates';
import { parseRotationInput } from '../../common/rotation';
import { AUTH_ADMIN_CYCLE_HOURS } from '../../common/names';
import { DAY, HOUR, Scenario } from './scenario';

const CYCLE = AUTH_ADMIN_CYCLE_HOURS * HOUR;
/** Retries of every activity (15 attempts of up to 2 minutes for reads, 8 of up to 5 for changes), generously. */
const RETRY_SLACK = DAY;
/** A run whose input is refused ends at its first workflow task. */
const INVALID_INPUT_BOUND = HOUR;

export function boundMs(scenario: Scenario): number {
  const parsed = parseRotationInput({ ...scenario.input, organization: 'bound' });
  if (!parsed.ok) return INVALID_INPUT_BOUND;
  const input = parsed.input;
  const staged = scenario.org.next ? Math.max(0, scenario.org.next.effectiveInHours * HOUR) : 0;
  const effective = Math.max(input.effectiveDateHours * HOUR, staged);
  // Without a replicationDeadline the effective date governs, and it may move a few times.
  const replication = Math.max(
    input.replicationDeadline ?? MAX_DATE_MOVES * DATE_MOVE_STEP_MS,
    input.emergencyReplicationDeadline,
  );
  const publication =
    2 * CYCLE + input.publicationMargin + input.publicationGiveUpAfter + input.publicationPollInterval;
  const hcw = scenario.org.hybrid ? input.hcwTimeout + input.hcwReminderInterval : 0;
  const kills = scenario.faults.kill.max * scenario.faults.kill.maxDowntimeMs;
  const scripted = scenario.scripted.reduce((sum, f) => sum + (f.downtimeMs ?? 0), 0);
  const windows = Math.max(0, ...scenario.timeline.map((e) => e.atMs));
  return effective + replication + publication + hcw + kills + scripted + windows + RETRY_SLACK;
}
