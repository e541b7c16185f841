// Signals, queries and updates of the rotation workflow, defined once: the workflow, the client, the CLI and the tests
// import these objects rather than repeating their names.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { HcwAnswer } from '../common/policy/hcw';
import type { HcwRecord, RotationReport, RotationStatus } from '../common/rotation';

export interface HcwCompleted {
  /** Who re-ran the Hybrid Configuration Wizard. */
  by: string;
  note?: string;
}

export interface HcwSkipped {
  by: string;
  reason: string;
}

export type { HcwAnswer };

/** The Temporal UI's way to answer: a signal cannot be refused, so one the rotation cannot take is shown, not lost. */
export const hcwCompletedSignal = defineSignal<[HcwCompleted]>('hcwCompletedSignal');
export const hcwSkippedSignal = defineSignal<[HcwSkipped]>('hcwSkippedSignal');
/** The CLI's way to answer: the validator refuses an answer the rotation cannot take, at once and with the reason. */
export const hcwAnswerUpdate = defineUpdate<HcwRecord, [HcwAnswer]>('hcwAnswerUpdate');

/** Each message's argument as a person types it (signal dialog, instructions, the warning for a malformed one). */
export const HCW_COMPLETED_EXAMPLE = '{"by": "<your name>", "note": "..."}';
export const HCW_SKIPPED_EXAMPLE = '{"by": "<your name>", "reason": "..."}';
export const HCW_ANSWER_EXAMPLE = '{"decision": "completed", "by": "<your name>", "note": "..."}';

export const statusQuery = defineQuery<RotationStatus>('statusQuery');
/** The report as it stands: the same shape the workflow returns when it ends. */
export const reportQuery = defineQuery<RotationReport>('reportQuery');
