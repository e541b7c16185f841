// Named scenarios the explorer keeps: the reproductions of issue 8 and every failure found since.
import type { Scenario } from './scenario';

export interface Regression {
  name: string;
  /** What went wrong, and where in the code (the report of the run that found it). */
  why: string;
  scenario: () => Scenario;
}

export const REGRESSIONS: Regression[] = [];
