// What the benchmarks share: `--name=value` flags checked by a zod schema, and the median.
import { z } from 'zod';

/** `--flag=value` arguments for the keys of `schema`; anything else is refused, naming the flags there are. */
export function parseFlags<S extends z.ZodObject>(argv: string[], schema: S): z.infer<S> {
  const names = Object.keys(schema.shape);
  const raw: Record<string, string> = {};
  for (const arg of argv) {
    const [, name, value] = /^--([a-z-]+)=(.+)$/.exec(arg) ?? [];
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
