// EXPLORER_DEBUG=1: what the explorer does, with real time, on stderr (to find where a run stands still).
const enabled = !!process.env.EXPLORER_DEBUG;

export function debug(seed: number | string, text: string): void {
  if (enabled) process.stderr.write(`${new Date().toISOString().slice(11, 23)} [${seed}] ${text}\n`);
}
