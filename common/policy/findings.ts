// What every decision returns: a reason code a test can assert and a program can act on, and the words a person reads.
// Checks are small named functions; where their order matters it is data (a chain), as in cert-manager's policies.

export interface Finding<C extends string = string> {
  code: C;
  message: string;
}

export function finding<C extends string>(code: C, message: string): Finding<C> {
  return { code, message };
}

export const HOUR_MS = 60 * 60 * 1000;
export const DAY_MS = 24 * HOUR_MS;

export function isoAt(ms: number): string {
  return new Date(ms).toISOString();
}
