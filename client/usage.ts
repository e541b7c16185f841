// Usage errors of the CLI and the argument parsers that raise them: one class, so client/cli.ts exits 2 for any of
// them, and one way to check a value Commander parsed (before the command connects to anything).
import { Argument } from 'commander';
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

/** Past this many characters a refused value is shown cut short: the error stays one readable line. */
const SHOWN_VALUE_LENGTH = 80;

function shown(text: string): string {
  return JSON.stringify(text.length > SHOWN_VALUE_LENGTH ? `${text.slice(0, SHOWN_VALUE_LENGTH)}…` : text);
}

/** A Commander argument parser: `what "value": rule` when the value breaks the rule. */
export function parseWith<T>(schema: Rule<T>, what: string, read: (text: string) => unknown = (text) => text) {
  return (text: string): T => {
    const r = schema.safeParse(read(text));
    if (!r.success) throw new UsageError(`${what} ${shown(text)}: ${r.error.issues[0]?.message ?? 'is not valid'}`);
    return r.data;
  };
}

export const organizationArg = parseWith(organizationSchema, 'organization');

/** `<organization>` of every command that acts on one: the name its worker serves, checked before connecting. */
export function organizationArgument(): Argument {
  return new Argument('<organization>', 'the organisation, as its worker serves it (EXCHANGE_ORGANIZATION)').argParser(
    organizationArg,
  );
}
