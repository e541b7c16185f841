// A simulated Exchange organisation in its own temporary directory, for tests that run the simulated shell.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createOrganization, loadOrganization, summarizeOrganization } from 'simulated-exchange';
import type { Organisation, OrganizationSummary, ScenarioName } from 'simulated-exchange';

export interface SimulatedOrganization {
  dir: string;
  /** The EXCHANGE_SIM_STATE of the simulated shell. */
  stateFile: string;
  org: Organisation;
  /** The organisation as it is now (simulated clock caught up), as `sim show --json` prints it. */
  summary(): OrganizationSummary;
  cleanup(): void;
}

export interface SimulatedOrganizationOptions {
  /** Simulated seconds per real second; 0 freezes the clock. */
  acceleration?: number;
  /** Simulated start time (epoch ms). */
  start?: number;
}

export async function createSimulatedOrganization(
  scenario: ScenarioName,
  options: SimulatedOrganizationOptions = {},
): Promise<SimulatedOrganization> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `sim-${scenario}-`));
  const stateFile = path.join(dir, 'organisation.json');
  const org = await createOrganization(scenario, stateFile, options);
  return {
    dir,
    stateFile,
    org,
    summary: () => {
      const { org: current, now } = loadOrganization(stateFile);
      return summarizeOrganization(current, now, 1000);
    },
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
