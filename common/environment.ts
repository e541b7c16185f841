// Environment variables, read one way by every program (the worker, `npm start`, the demo, the CLI): empty values
// count as unset, as in most shells' `VAR= cmd`, and an error names the variable and its rule. No Node built-ins:
// callers hand in their environment.
import { z } from 'zod';
import { describeIssues } from './validation';

export class ConfigurationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConfigurationError';
  }
}

/** `invalid configuration: VARIABLE: rule`, the one shape of every configuration error. */
export function configurationError(variable: string, rule: string, options?: { cause?: unknown }): ConfigurationError {
  return new ConfigurationError(`invalid configuration: ${variable}: ${rule}`, options);
}

export const booleanText = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' }))
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const PORT_RANGE = 'must be between 1 and 65535';
export const portText = z.coerce
  .number({ error: 'must be a port number' })
  .int('must be a whole number')
  .min(1, PORT_RANGE)
  .max(65535, PORT_RANGE);

/** `host:port` with a port a socket can bind or reach; the example is the variable's usual value. */
export function hostPort(example: string) {
  return (
    z
      .string()
      .trim()
      // Aborts on a bad shape: the port rule below would only repeat the same complaint.
      .regex(/^[^\s:]+:\d+$/, { message: `must be host:port, e.g. ${example}`, abort: true })
      .refine(
        (text) => portText.safeParse(text.slice(text.lastIndexOf(':') + 1)).success,
        `must be host:port; the port ${PORT_RANGE}`,
      )
  );
}

/** An http(s) URL, as a variable that points a person or a program at a web page gives it. */
export function httpUrl() {
  return z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
}

export type Environment = Record<string, string | undefined>;

/** The variables of `shape` that are set to something other than blanks. */
function present(shape: z.ZodRawShape, env: Environment): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(shape)) {
    const value = env[key];
    if (value !== undefined && value.trim() !== '') out[key] = value;
  }
  return out;
}

/** The variables `schema` knows, parsed; every bad one named in one ConfigurationError. */
export function parseVariables<S extends z.ZodObject>(schema: S, env: Environment): z.output<S> {
  const result = schema.safeParse(present(schema.shape, env));
  if (!result.success) {
    throw new ConfigurationError(`invalid configuration: ${describeIssues(result.error, { whole: '(environment)' })}`, {
      cause: result.error,
    });
  }
  return result.data;
}
