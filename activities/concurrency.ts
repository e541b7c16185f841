// Per-server work side by side, bounded: a 200-server organisation is not 200 times a 2-server one, and never more
// than `limit` servers are acted on at once (each call also waits for a session of the bounded shell pool).

/**
 * Runs `step` on every item, at most `limit` at once, and returns the results in the items' order. Once a step has
 * thrown no further step starts; the ones already running finish (and save their progress), then the first error is
 * thrown.
 */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  step: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  if (!(Number.isInteger(limit) && limit > 0)) throw new RangeError('limit must be a whole number of at least 1');
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (failure === undefined && next < items.length) {
      const index = next++;
      try {
        results[index] = await step(items[index]!, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
  return results;
}
