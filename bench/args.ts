// What the benchmarks share: `--name=value` flags checked by a zod schema, the median, and a count of shell calls.
import { z } from 'zod';

/**
 * `--flag=value` or `--flag value` arguments for the keys of `schema`; anything else is refused, naming the flags there
 * are.
 */
export function parseFlags<S extends z.ZodObject>(argv: string[], schema: S): z.infer<S> {
  const names = Object.keys(schema.shape);
  const raw: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    let [, name, value] = /^--([a-z-]+)=(.+)$/.exec(arg) ?? [];
    if (name === undefined && /^--[a-z-]+$/.test(arg) && argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) {
      name = arg.slice(2);
      value = argv[++i];
    }
    if (name === undefined || value === undefined || !names.includes(name)) {
      throw new Error(`unknown argument ${JSON.stringify(arg)}: use ${names.map((n) => `--${n}=N`).join(' ')}`);
    }
    raw[name] = value;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new Error(z.prettifyError(parsed.error));
  return parsed.data;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const at = (i: number) => sorted[i] ?? Number.NaN;
  return sorted.length % 2 ? at(mid) : (at(mid - 1) + at(mid)) / 2;
}

/**
 * Counts the calls of `target[method]` (an ExchangeShell's `runPipeline`: PowerShell round trips; a ShellSession's
 * `close`: shell sessions ended), on one object or on a prototype to count every instance's. The calls go on unchanged.
 */
export function countCalls<K extends string>(
  target: { [key in K]: (...args: never[]) => Promise<unknown> },
  method: K,
): () => number {
  let calls = 0;
  const original = target[method];
  target[method] = function (this: unknown, ...args: never[]) {
    calls++;
    return original.apply(this, args);
  } as (typeof target)[K];
  return () => calls;
}
