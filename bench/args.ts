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
 * Counts the PowerShell calls (round trips to a shell) made through `target.runPipeline`: an ExchangeShell, or its
 * prototype to count every client's calls in the process. The calls themselves go on unchanged.
 */
export function countShellCalls(target: { runPipeline: (...args: never[]) => Promise<unknown[]> }): () => number {
  let calls = 0;
  const runPipeline = target.runPipeline;
  target.runPipeline = function (this: unknown, ...args: never[]) {
    calls++;
    return runPipeline.apply(this, args);
  };
  return () => calls;
}
