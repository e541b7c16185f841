// How a zod failure reads, defined once: one `field: rule` per problem, the field as a dotted path from what was
// checked (`input.rotation.effectiveDateHours`, `EXCHANGE_CONNECTION`, `settings`). The workflow input, the check
// input, the schedule settings, the worker's environment and the shell settings all say it this way. No Node built-ins.
import type { z } from 'zod';

export interface FieldIssue {
  /** The dotted path of the field to blame; `whole` when the problem is with the value as a whole. */
  field: string;
  message: string;
}

export interface IssueWording {
  /** Put before every path: "input" gives `input.effectiveDateHours`. */
  root?: string;
  /** The field named when an issue has no path: "(environment)", "settings". Default: the root. */
  whole?: string;
}

export function fieldIssues(error: z.ZodError, wording: IssueWording = {}): FieldIssue[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String);
    const field =
      path.length === 0 ? (wording.whole ?? wording.root ?? '') : [wording.root, ...path].filter(Boolean).join('.');
    // Which keys are unknown is the one thing zod's own message leaves to the reader to find.
    const keys = issue.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')})` : '';
    return { field, message: `${issue.message}${keys}` };
  });
}

/** `field: rule` per problem, joined by `separator`: "\n" where a person reads a list, "; " on one line. */
export function describeIssues(error: z.ZodError, wording: IssueWording & { separator?: string } = {}): string {
  return fieldIssues(error, wording)
    .map((i) => (i.field ? `${i.field}: ${i.message}` : i.message))
    .join(wording.separator ?? '; ');
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * A JSON object given as workflow input (from the UI's input box, the CLI or a schedule), checked by `schema`: the
 * parsed value, or every problem on its own line under `root`. Anything but an object is refused with an example.
 */
export function parseObjectInput<S extends z.ZodType>(schema: S, raw: unknown, root = 'input'): Parsed<z.output<S>> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, message: `${root}: must be a JSON object such as {"organization": "contoso"}` };
  }
  const result = schema.safeParse(raw);
  return result.success
    ? { ok: true, value: result.data }
    : { ok: false, message: describeIssues(result.error, { root, separator: '\n' }) };
}

/** "a, b or c": the values a rule accepts, as a sentence names them. */
export function alternatives(values: readonly string[]): string {
  return values.length > 1 ? `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}` : values.join('');
}
