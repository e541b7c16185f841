// `npm start`'s simulated organisation: created on the first start, reused afterwards at the configured clock rate.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseRotationInput } from '../../common/rotation';
import { loadOrganization } from 'simulated-exchange';
import { ensureSimulatedOrganization, howToStart } from '../../worker/start';

test('created once, then reused with its certificates, its clock following EXCHANGE_CLOCK_RATE', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'start-sim-'));
  try {
    const file = path.join(dir, 'nested', 'contoso.json');
    expect(ensureSimulatedOrganization(file, 'hybrid', 1)).toBe('created');
    const first = loadOrganization(file).org;
    expect(first.scenario).toBe('hybrid');
    expect(first.clock.acceleration).toBe(1);

    expect(ensureSimulatedOrganization(file, 'hybrid', 3600)).toBe('reused');
    const second = loadOrganization(file).org;
    expect(second.clock.acceleration).toBe(3600);
    expect(second.authConfig.currentCertificateThumbprint).toBe(first.authConfig.currentCertificateThumbprint);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('an unknown scenario is the simulator CLI error, in one line', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'start-sim-'));
  try {
    expect(() => ensureSimulatedOrganization(path.join(dir, 'x.json'), 'nope', 1)).toThrow(
      /^sim create failed: sim: .*unknown scenario "nope"/,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the instructions name the workflow type, task queue, workflow ID and a complete input', () => {
  const text = howToStart('Fabrikam', 'http://localhost:8233').join('\n');
  expect(text).toContain('Workflow ID    rotate-auth-cert.fabrikam');
  expect(text).toContain('Task Queue     exchange-auth-cert.fabrikam');
  expect(text).toContain('Workflow Type  rotateAuthCertificate');
  expect(text).toContain('Input (JSON)   {"organization":"Fabrikam"}');
  expect(text).toContain('from the Temporal Web UI (http://localhost:8233)');
});

test.each([
  [{}, ''],
  [{ address: '127.0.0.1:7233', namespace: 'default' }, ''],
  [{ address: 'localhost:7233' }, ''],
  [{ address: '127.0.0.1:27433', namespace: 'default' }, 'TEMPORAL_ADDRESS=127.0.0.1:27433 '],
  [
    { address: 'temporal.corp:7233', namespace: 'exchange' },
    'TEMPORAL_ADDRESS=temporal.corp:7233 TEMPORAL_NAMESPACE=exchange ',
  ],
])('the CLI commands shown for Temporal %j reach it from another terminal', (temporal, prefix) => {
  const commands = howToStart('contoso', undefined, temporal).filter((l) => l.includes('npm run cli'));
  expect(commands).toHaveLength(3);
  for (const line of commands) expect(line.trimStart().startsWith(`${prefix}npm run cli -- `)).toBe(true);
});

test('the instructions state the default renewBeforeDays the rotation applies', () => {
  const parsed = parseRotationInput({ organization: 'contoso' });
  const days = parsed.ok ? parsed.input.renewBeforeDays : NaN;
  expect(howToStart('contoso', undefined).join('\n')).toContain(`within ${days} days of expiry`);
});
