// A batch of scenarios on one time-skipping server, a few at a time, and how a violation is told: the seed, the
// invariant, what broke, and the one line that replays exactly that scenario.
import { generateScenario } from './generate';
import { EngineMode } from './engine';
import type { Violation } from './invariants';
import { reportOf } from './invariants';
import { REGRESSIONS } from './regressions';
import { createExplorerEnv, ExplorerEnv, judgeScenarios, RanScenario, runScenario, ScenarioOutcome } from './runner';
import type { Scenario } from './scenario';

export interface BatchOptions {
  workflowBundlePath: string;
  mode?: EngineMode;
  /** Scenarios running side by side on the one server. */
  concurrency?: number;
  onOutcome?: (outcome: ScenarioOutcome) => void;
}

export function replayCommand(scenario: Scenario, mode: EngineMode = 'in-process'): string {
  const shell = mode === 'real-shell' ? ' --real-shell' : '';
  return typeof scenario.seed === 'number'
    ? `npm run explore -- --seed ${scenario.seed} --runs 1${shell}`
    : `npm run explore -- --regression ${scenario.seed}${shell}`;
}

/** One line per violation, then what the run did, briefly. */
export function describeOutcome(outcome: ScenarioOutcome): string {
  const { trace, violations } = outcome;
  const report = reportOf(trace);
  const ended = report
    ? `${trace.result.status}: ${report.outcome}${report.path ? ` (path ${report.path})` : ''}${report.stopReason ? ` — ${report.stopReason}` : ''}`
    : `${trace.result.status}: ${trace.result.failure?.type ?? ''} ${trace.result.failure?.message ?? ''} ${trace.result.failure?.cause ?? ''}`;
  return [
    ...violations.map(
      (v: Violation) =>
        `VIOLATION seed=${trace.scenario.seed} invariant=${v.invariant}: ${v.detail}\n  replay: ${replayCommand(trace.scenario, trace.mode)}`,
    ),
    `  run seed=${trace.scenario.seed}: ${ended.trim()}; ${trace.attempts.length} activity attempts, ${trace.calls.length} Exchange calls, ` +
      `${trace.history.runs} run(s), ${trace.history.events} events, ${outcome.seconds.toFixed(1)} s` +
      (process.env.EXPLORER_TIMINGS
        ? ` (${Object.entries(outcome.timings)
            .map(([k, v]) => `${k} ${v.toFixed(1)}`)
            .join(', ')})`
        : ''),
  ].join('\n');
}

export function scenarioFor(seedOrName: number | string): Scenario {
  if (typeof seedOrName === 'number') return generateScenario(seedOrName);
  const regression = REGRESSIONS.find((r) => r.name === seedOrName);
  if (!regression) throw new Error(`no regression named ${seedOrName}: ${REGRESSIONS.map((r) => r.name).join(', ')}`);
  return regression.scenario();
}

/** Scenarios whose histories are replayed together (one replay worker per chunk, see replayer.ts). */
const REPLAY_CHUNK = 16;

export async function runBatch(scenarios: Scenario[], options: BatchOptions): Promise<ScenarioOutcome[]> {
  const xenv: ExplorerEnv = await createExplorerEnv(options.workflowBundlePath);
  const outcomes: ScenarioOutcome[] = [];
  let ran: RanScenario[] = [];
  const judge = async () => {
    const chunk = ran;
    ran = [];
    for (const outcome of await judgeScenarios(options.workflowBundlePath, chunk)) {
      outcomes.push(outcome);
      options.onOutcome?.(outcome);
    }
  };
  try {
    let next = 0;
    const lane = async () => {
      while (next < scenarios.length) {
        const scenario = scenarios[next++];
        if (!scenario) break;
        // Not `ran.push(await …)`: that would push into the array a judge took meanwhile.
        const done = await runScenario(xenv, scenario, options.mode ?? 'in-process');
        ran.push(done);
        if (ran.length >= REPLAY_CHUNK) await judge();
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 3) }, lane));
    await judge();
  } finally {
    await xenv.close();
  }
  return outcomes;
}
