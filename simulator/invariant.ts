// Reads that the code's own construction guarantees (a regex group that matched, the first issue of a failed parse,
// an index below the length just checked): a miss is a defect, reported by name rather than passed on as undefined.
// The package's tests use them too, so a missing element fails the test at the read that expected it.

/** A value the simulator's own code guarantees was missing: a bug in the simulator, never a user's mistake. */
export class SimulatorInvariantError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimulatorInvariantError';
  }
}

/** `value`, or a SimulatorInvariantError saying `what` was missing. */
export function defined<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new SimulatorInvariantError(`${what} is missing`);
  return value;
}

/** `items[index]`, or a SimulatorInvariantError naming `what` and the index. */
export function at<T>(items: ArrayLike<T>, index: number, what = 'item'): T {
  const value = items[index];
  if (value === undefined) {
    throw new SimulatorInvariantError(`no ${what} at index ${index} (of ${items.length})`);
  }
  return value;
}
