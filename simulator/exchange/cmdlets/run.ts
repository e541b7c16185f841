// What every cmdlet area shares about running: a cmdlet's body goes through a Runner (one locked read-modify-write of
// the organisation, built in ../cmdlets.ts), asks questions through Confirm (answered between attempts, never under the
// lock), and can see which cmdlet runs and when the shell called it.
import { AsyncLocalStorage } from 'node:async_hooks';
import { Question } from '../../shell/prompt';
import { Organisation } from '../model';

/** A question asked inside the locked read-modify-write before it has an answer: the attempt is abandoned. */
export class Unanswered extends Error {
  constructor(readonly question: Question) {
    super(`unanswered prompt ${question.id}`);
  }
}

/** ShouldContinue as a cmdlet sees it: the answer, known by the time the attempt that asked runs again. */
export type Confirm = (question: Question) => boolean;

/** The Exchange cmdlet running in this async context. */
export interface Invocation {
  cmdlet: string;
  /** Simulated time the shell called it, before any lock or state read: "the current time" for its checks. */
  calledAt: number;
}
export const invocation = new AsyncLocalStorage<Invocation>();

export type Runner = <T>(fn: (org: Organisation, now: number, confirm: Confirm) => T | Promise<T>) => Promise<T>;
