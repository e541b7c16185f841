// The worker as `npm start` builds it (real ExchangeClient, node-powershell, the simulated Exchange Management Shell)
// serving one simulated organisation on a test's Temporal server, started and stopped in one call each.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ScenarioName } from 'simulated-exchange';
import { loadWorkerConfig } from '../../worker/config';
import { createRotationWorkers, RotationWorkers } from '../../worker/worker';
import { createSimulatedOrganization, SimulatedOrganization } from './simulated-org';
import { workflowBundlePath } from './temporal';

export interface SimulatedWorker {
  sim: SimulatedOrganization;
  workers: RotationWorkers;
  /** Stops the worker (running activities get their grace time) and removes the organisation's files. */
  stop(): Promise<void>;
}

export async function startSimulatedWorker(
  env: TestWorkflowEnvironment,
  options: {
    organization: string;
    scenario: ScenarioName;
    /** Exchange seconds per real second (0 freezes the organisation's clock). */
    acceleration: number;
    /** EXCHANGE_CLOCK_RATE, what the worker assumes of Exchange's clock: default the acceleration (or 1 if frozen). */
    clockRate?: number;
    /** Further worker variables. */
    variables?: Record<string, string>;
    rotationWatchIntervalMs?: number;
  },
): Promise<SimulatedWorker> {
  const sim = await createSimulatedOrganization(options.scenario, { acceleration: options.acceleration });
  const config = loadWorkerConfig({
    EXCHANGE_ORGANIZATION: options.organization,
    EXCHANGE_SIM_STATE: sim.stateFile,
    EXCHANGE_CLOCK_RATE: String(options.clockRate ?? (options.acceleration || 1)),
    WORKER_SHUTDOWN_GRACE: '5s',
    ...options.variables,
  });
  const workers = await createRotationWorkers({
    config,
    connection: env.nativeConnection,
    workflowBundlePath: workflowBundlePath(),
    rotationWatchIntervalMs: options.rotationWatchIntervalMs,
  });
  const running = workers.run();
  return {
    sim,
    workers,
    stop: async () => {
      workers.shutdown();
      await running;
      sim.cleanup();
    },
  };
}
