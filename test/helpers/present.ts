// Reads a test expects to find something: a miss fails the test at the read, naming what was missing, rather than
// later as a TypeError on undefined (the tests' side of noUncheckedIndexedAccess). The simulator package has its own
// pair (simulator/invariant.ts): it may not import from the service's tree, nor the service's tests from its internals.

/** `value`, or an error saying `what` is missing. */
export function present<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`expected ${what}, found nothing`);
  return value;
}

/** `items[index]`, or an error naming `what`, the index and how many there were. */
export function nth<T>(items: ArrayLike<T>, index: number, what = 'item'): T {
  return present(items[index], `${what} at index ${index} (of ${items.length})`);
}
