// The daily check's input, and the rotation input it hands on: one parser for the check workflow, the schedules that
// start it and the CLI that writes those schedules, so a bad schedule is refused when it is written, in the words the
// check would fail with on its first run. No Node built-ins: the check workflow imports this.
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { ROTATION_ERROR_TYPES } from './failures';
import { organizationSchema } from './names';
import { parseRotationInput, renewBeforeDaysSchema } from './rotation';
import { parseObjectInput } from './validation';
import type { Parsed } from './validation';

export const checkInputSchema = z.strictObject({
  organization: organizationSchema,
  renewBeforeDays: renewBeforeDaysSchema,
  /** Rotate even when the certificate is outside renewBefore: what the yearly schedule sets. */
  force: z.boolean().default(false),
  ignoreUnreachableServers: z.boolean().default(false),
  /** Further rotation input (timings, probeMailbox, notifications) handed to the rotation as it is. */
  rotation: z.record(z.string(), z.unknown()).default({}),
});

export type CheckInputJson = z.input<typeof checkInputSchema>;
export type CheckInput = z.output<typeof checkInputSchema>;

/** The failure a workflow fails with on bad input: not retried, its message naming every field and rule. */
export function invalidInputFailure(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: ROTATION_ERROR_TYPES.invalidInput, message, nonRetryable: true });
}

/** The check's input parsed, or `root.field: rule` per problem. */
export function checkInputOf(raw: unknown, root = 'input'): Parsed<CheckInput> {
  return parseObjectInput(checkInputSchema, raw, root);
}

/**
 * The rotation input a check hands on (its `rotation` fields with the check's own), checked now, so that a bad
 * schedule fails on its first check, not on its first rotation. Problems are named under `root` (`input.rotation`).
 */
export function rotationInputOf(input: CheckInput, root: string): Parsed<Record<string, unknown>> {
  const rotation: Record<string, unknown> = {
    ...input.rotation,
    organization: input.organization,
    renewBeforeDays: input.renewBeforeDays,
    ignoreUnreachableServers: input.ignoreUnreachableServers,
    ...(input.force ? { force: true } : {}),
  };
  const parsed = parseRotationInput(rotation, root);
  return parsed.ok ? { ok: true, value: rotation } : parsed;
}

/** For the check workflow: the input, or the failure that ends the run. */
export function parseCheckInput(raw: unknown): CheckInput {
  const parsed = checkInputOf(raw);
  if (!parsed.ok) throw invalidInputFailure(parsed.message);
  return parsed.value;
}

/** For the check workflow: the rotation's input, or the failure that ends the run. */
export function rotationInputFor(input: CheckInput): Record<string, unknown> {
  const parsed = rotationInputOf(input, 'input.rotation');
  if (!parsed.ok) throw invalidInputFailure(parsed.message);
  return parsed.value;
}
