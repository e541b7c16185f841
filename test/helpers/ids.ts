// Unique names per test, so tests sharing one Temporal server (or one run) never see each other's workflows.
import { randomBytes } from 'node:crypto';

let counter = 0;

function suffix(): string {
  counter += 1;
  return `${process.pid.toString(36)}${counter.toString(36)}${randomBytes(3).toString('hex')}`;
}

/** A workflow ID, task queue or any other Temporal name. */
export function uniqueId(prefix = 'test'): string {
  return `${prefix}-${suffix()}`;
}

export function uniqueTaskQueue(prefix = 'tq'): string {
  return uniqueId(prefix);
}

/** An organisation name that satisfies ORGANIZATION_PATTERN (letters, digits, dot, dash, underscore; 63 at most). */
export function uniqueOrganization(prefix = 'org'): string {
  return `${prefix}-${suffix()}`.slice(0, 63);
}
