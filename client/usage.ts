// Usage errors of the CLI and the argument parsers that raise them: one class, so client/cli.ts exits 2 for any of
// them, and one way to check a value Commander parsed (before the command connects to anything).
import type { z } from 'zod';
import { organizationSchema } from '../common/names';

export class UsageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UsageError';
  }
}

/** Any zod schema producing T, whatever it accepts. */
export type Rule<T> = Pick<z.ZodType<T>, 'safeParse'>;

/** A Commander argument parser: `what "value": rule` when the value breaks the rule. */
export function parseWith<T>(schema: Rule<T>, what: string, read: (text: string) => unknown = (text) => text) {
  return (text: string): T => {
    const r = schema.safeParse(read(text));
    if (!r.success) throw new UsageError(`${what} ${JSON.stringify(text)}: ${r.error.issues[0].message}`);
    return r.data;
  };
}

export const organizationArg = parseWith(organizationSchema, 'organization');
