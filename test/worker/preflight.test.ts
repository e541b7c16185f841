// `npm run preflight` (dist/worker/preflight.js) against simulated organisations through the real ExchangeClient and
// the simulated Exchange Management Shell: every check answers for a healthy organisation; a right that is missing
// fails its own check, names what it needs, and the exit status says so. Nothing in the organisation changes.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { injectFault } from 'simulated-exchange';
import { ORGANIZATION_CHECKS, SERVER_CHECKS } from '../../worker/preflight';
import { createSimulatedOrganization, SimulatedOrganization } from '../helpers/simulated-org';
import { REPO_ROOT } from '../helpers/temporal';

const PREFLIGHT = path.join(REPO_ROOT, 'dist', 'worker', 'preflight.js');

function preflight(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [PREFLIGHT, ...args], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (out += c));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, out })));
}

const sims: SimulatedOrganization[] = [];
afterAll(() => sims.forEach((s) => s.cleanup()));

async function organisation(scenario: 'healthy' | 'unreachable') {
  const sim = await createSimulatedOrganization(scenario, { acceleration: 0 });
  sims.push(sim);
  return sim;
}

test('a healthy organisation: every check answers, per server where it is per server; exit 0; nothing changed', async () => {
  const sim = await organisation('healthy');
  const before = sim.summary();
  const { code, out } = await preflight({ EXCHANGE_ORGANIZATION: 'contoso', EXCHANGE_SIM_STATE: sim.stateFile });
  expect(out).not.toContain('FAIL');
  expect(code).toBe(0);
  for (const check of ORGANIZATION_CHECKS) expect(out).toMatch(new RegExp(`^ {2}ok {4}${check}: `, 'm'));
  for (const server of ['EX1', 'EX2'])
    for (const check of SERVER_CHECKS) expect(out).toMatch(new RegExp(`^ {2}ok {4}${server} ${check}: `, 'm'));
  expect(out).toContain('not tested (they change the organisation');
  expect(sim.summary()).toEqual(before);
});

test('a right that is missing fails its own check, says what it needs; exit 1', async () => {
  const sim = await organisation('healthy');
  await injectFault(sim.stateFile, { kind: 'access-denied', cmdlet: 'Get-WinEvent' });
  const { code, out } = await preflight({ EXCHANGE_ORGANIZATION: 'contoso', EXCHANGE_SIM_STATE: sim.stateFile });
  expect(code).toBe(1);
  expect(out).toMatch(/^ {2}FAIL {2}EX1 AuthAdmin events: AccessDeniedError: /m);
  expect(out).toContain("needs: the account in the server's Event Log Readers or Administrators group");
  // The other checks still ran and answered.
  expect(out).toMatch(/^ {2}ok {4}EX2 app pools: /m);
});

test('a server that does not answer fails its checks by name; the others pass', async () => {
  const sim = await organisation('unreachable');
  const { code, out } = await preflight(
    { EXCHANGE_ORGANIZATION: 'contoso', EXCHANGE_SIM_STATE: sim.stateFile },
    '--json',
  );
  expect(code).toBe(1);
  const results = JSON.parse(out).contoso as Array<{ check: string; server?: string; ok: boolean }>;
  expect(results.filter((r) => !r.ok).every((r) => r.server === 'EX3')).toBe(true);
  // Not a missing right: the path to the server is what it asks for.
  expect(results.filter((r) => r.server === 'EX3' && r.check === 'app pools')).toEqual([
    expect.objectContaining({ ok: false, fix: expect.stringMatching(/^WinRM from this host to the server: TCP 5985/) }),
  ]);
  expect(results.filter((r) => r.server === 'EX1').every((r) => r.ok)).toBe(true);
});

test('a bad environment is the configuration error, exit 2', async () => {
  expect(await preflight({ EXCHANGE_CONNECTION: 'ssh' })).toEqual({
    code: 2,
    out: expect.stringMatching(/^invalid configuration: EXCHANGE_CONNECTION: must be simulated, local or remote/),
  });
});
