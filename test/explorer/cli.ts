#!/usr/bin/env node
// npm run explore -- --seed S --runs N [--jobs J] [--concurrency C] [--real-shell] [--regression NAME] [--verbose]
//
// Runs N generated scenarios (seeds S .. S+N-1), or one named regression, and checks the invariants on each. Every
// violation prints its seed, the invariant and the line that replays exactly that scenario; the output ends with one
// JSON line {"runs", "violations", "seconds", "seeds"}, and the exit code is 1 when there was any violation.
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { bundleWorkflowCode } from '@temporalio/worker';
import { findRepoRoot } from '../../activities/powershell/settings';
import { describeOutcome, runBatch, scenarioFor } from './batch';
import { INVARIANTS, InvariantName } from './invariants';
import { REGRESSIONS } from './regressions';
import type { ScenarioOutcome } from './runner';

interface Options {
  seed: number;
  runs: number;
  jobs: number;
  concurrency: number;
  realShell: boolean;
  regression?: string;
  verbose: boolean;
}

/** What a child sends its parent per scenario. */
interface ChildMessage {
  seed: number | string;
  text: string;
  violations: Array<{ invariant: InvariantName; detail: string }>;
  seconds: number;
}

const BUNDLE_ENV = 'EXPLORER_WORKFLOW_BUNDLE';

function positiveInteger(name: string) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a positive whole number`);
    return n;
  };
}

function parseOptions(argv: string[]): Options & { child?: string } {
  const program = new Command('explore')
    .description('Generate rotation scenarios from seeds, run them, and check the invariants')
    .option(
      '--seed <n>',
      'first seed',
      (v) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('--seed must be a whole number, 0 or more');
        return n;
      },
      1,
    )
    .option('--runs <n>', 'how many scenarios (seeds seed .. seed+runs-1)', positiveInteger('--runs'), 1)
    .option('--jobs <n>', 'processes, each with its own Temporal test server', positiveInteger('--jobs'), 1)
    .option('--concurrency <n>', 'scenarios side by side in one process', positiveInteger('--concurrency'), 3)
    .option('--real-shell', 'run Exchange calls through node-powershell and bin/simulated-exchange-shell', false)
    .option('--regression <name>', `replay a named regression (${REGRESSIONS.map((r) => r.name).join(', ')})`)
    .option('--verbose', 'print every scenario, not only those with violations', false)
    .option('--child <seeds>', '(internal) run these seeds and report to the parent')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  try {
    program.parse(argv, { from: 'user' });
  } catch (error) {
    const code = (error as { exitCode?: number }).exitCode ?? 2;
    process.exit(code === 0 ? 0 : 2);
  }
  return program.opts();
}

async function workflowBundle(): Promise<string> {
  const given = process.env[BUNDLE_ENV];
  if (given && fs.existsSync(given)) return given;
  const quiet = { trace() {}, debug() {}, info() {}, log() {}, warn: console.warn, error: console.error };
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quiet });
  const file = path.join(os.tmpdir(), `explorer-workflows-${process.pid}.js`);
  fs.writeFileSync(file, code);
  return file;
}

function toMessage(outcome: ScenarioOutcome): ChildMessage {
  return {
    seed: outcome.trace.scenario.seed,
    text: describeOutcome(outcome),
    violations: outcome.violations,
    seconds: outcome.seconds,
  };
}

async function runChild(seeds: Array<number | string>, options: Options, bundle: string): Promise<void> {
  await runBatch(seeds.map(scenarioFor), {
    workflowBundlePath: bundle,
    mode: options.realShell ? 'real-shell' : 'in-process',
    concurrency: options.concurrency,
    onOutcome: (outcome) => process.send!(toMessage(outcome)),
  });
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  // The test helpers find .tools/ relative to their source; from dist/ they are told where it is.
  process.env.TEMPORAL_TEST_SERVER_PATH ||= path.join(findRepoRoot(), '.tools', 'bin', 'temporal-test-server');
  if (options.child !== undefined) {
    const seeds = options.child.split(',').map((s) => (/^\d+$/.test(s) ? Number(s) : s));
    await runChild(seeds, options, process.env[BUNDLE_ENV]!);
    return 0;
  }
  const began = Date.now();
  const seeds: Array<number | string> = options.regression
    ? [options.regression]
    : Array.from({ length: options.runs }, (_, i) => options.seed + i);
  if (options.regression) scenarioFor(options.regression); // an unknown name fails here, before any server starts
  const bundle = await workflowBundle();
  const jobs = Math.min(options.jobs, seeds.length);
  const messages: ChildMessage[] = [];
  const onMessage = (message: ChildMessage) => {
    messages.push(message);
    if (options.verbose || message.violations.length > 0) console.log(message.text);
    if (!options.verbose && messages.length % 50 === 0) console.error(`explore: ${messages.length}/${seeds.length}`);
  };
  // Seeds dealt round-robin, so slow and fast scenarios spread over the processes.
  const shares = Array.from({ length: jobs }, (_, j) => seeds.filter((_, i) => i % jobs === j));
  const failures: string[] = [];
  await Promise.all(
    shares.map(
      (share) =>
        new Promise<void>((resolve) => {
          const args = ['--child', share.join(','), '--concurrency', String(options.concurrency)];
          if (options.realShell) args.push('--real-shell');
          const child = fork(__filename, args, { env: { ...process.env, [BUNDLE_ENV]: bundle }, stdio: 'inherit' });
          child.on('message', (m) => onMessage(m as ChildMessage));
          child.on('exit', (code, signal) => {
            if (code !== 0) failures.push(`a worker process ended with ${signal ?? `code ${code}`}`);
            resolve();
          });
        }),
    ),
  );
  if (!process.env[BUNDLE_ENV]) fs.rmSync(bundle, { force: true });
  const seconds = Math.round((Date.now() - began) / 100) / 10;
  const byInvariant = new Map<InvariantName, Set<number | string>>();
  let violations = 0;
  for (const m of messages) {
    const broken = new Set(m.violations.map((v) => v.invariant));
    violations += broken.size;
    for (const invariant of broken) {
      const set = byInvariant.get(invariant) ?? new Set();
      set.add(m.seed);
      byInvariant.set(invariant, set);
    }
  }
  for (const invariant of INVARIANTS) {
    const set = byInvariant.get(invariant);
    if (set) console.log(`${invariant}: ${set.size} scenario(s): ${[...set].join(', ')}`);
  }
  const perRun = messages.length ? messages.reduce((s, m) => s + m.seconds, 0) / messages.length : 0;
  console.log(
    `explore: ${messages.length} scenarios in ${seconds} s (${perRun.toFixed(2)} s each on average, ${jobs} process(es))`,
  );
  for (const f of failures) console.log(`explore: ${f}`);
  const missing = seeds.length - messages.length;
  if (missing > 0) violations += missing;
  console.log(
    JSON.stringify({ runs: messages.length, violations, seconds, seeds: [seeds[0], seeds[seeds.length - 1]] }),
  );
  return violations > 0 || failures.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`explore: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(2);
  },
);
