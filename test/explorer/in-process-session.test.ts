// The in-process session answers as the real process does: the same ExchangeClient calls, once through node-powershell
// and bin/simulated-exchange-shell and once through InProcessShellSession, on copies of one organisation, give the same
// results and the same named errors; a death is a ShellProcessError and the next call gets a fresh shell.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createExchangeClient, ShellSessionPool } from '../../activities/powershell';
import { ShellProcessError, ServerUnreachableError, AccessDeniedError } from '../../activities/powershell/errors';
import { injectFault, writeStateAtomically } from 'simulated-exchange';
import type { ShellSession } from '../../activities/powershell/session';
import { CommandSession, InProcessShellSession } from './in-process-session';
import { buildOrganisation } from './organisation';
import { generateScenario } from './generate';
import { nth } from '../helpers/present';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'explorer-session-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function organisationFile(name: string, seed: number): string {
  const file = path.join(dir, `${name}.json`);
  const scenario = generateScenario(seed);
  writeStateAtomically(file, buildOrganisation(scenario, Date.UTC(2030, 0, 1)));
  return file;
}

async function exercise(client: ReturnType<typeof createExchangeClient>) {
  const servers = await client.getExchangeServers();
  const config = await client.getAuthConfig();
  const lookups = [];
  for (const s of servers) {
    lookups.push(await client.listCertificates(s.fqdn).catch((e: Error) => e.name));
    if (config.currentCertificateThumbprint) {
      lookups.push(await client.getCertificate(s.fqdn, config.currentCertificateThumbprint));
    }
    lookups.push(await client.getAuthAdminEvents(s.fqdn, new Date(0).toISOString()).catch((e: Error) => e.name));
    lookups.push(await client.getAppPoolWorkerProcesses(s.fqdn).catch((e: Error) => e.name));
  }
  return {
    time: await client.getServerTime(),
    servers,
    config,
    hybrid: await client.isHybridConfigured(),
    organisation: await client.getOrganizationConfig(),
    lookups,
  };
}

test.each([11, 12, 13])(
  'seed %i: the in-process shell answers as the real one',
  async (seed) => {
    const real = createExchangeClient(
      { mode: 'simulated', simulatorState: organisationFile(`real-${seed}`, seed) },
      { pool: new ShellSessionPool() },
    );
    const inProcess = createExchangeClient(
      { mode: 'simulated', simulatorState: organisationFile(`in-${seed}`, seed) },
      {
        pool: new ShellSessionPool({
          openSession: (launch) => new InProcessShellSession(launch) as CommandSession as ShellSession,
        }),
      },
    );
    try {
      expect(await exercise(inProcess)).toEqual(await exercise(real));
    } finally {
      await Promise.all([real.close(), inProcess.close()]);
    }
  },
  60_000,
);

test('faults: transient, access denied from the state file, and a death before and after the effect', async () => {
  const file = organisationFile('faults', 21);
  let session!: InProcessShellSession;
  const client = createExchangeClient(
    { mode: 'simulated', simulatorState: file },
    {
      pool: new ShellSessionPool({
        openSession: (launch) => {
          session = new InProcessShellSession(launch);
          return session as CommandSession as ShellSession;
        },
      }),
    },
  );
  try {
    const config = await client.getAuthConfig();
    session.arm({ transient: true });
    await expect(client.getAuthConfig()).rejects.toBeInstanceOf(ServerUnreachableError);
    expect(await client.getAuthConfig()).toEqual(config);

    await injectFault(file, { kind: 'access-denied', cmdlet: 'Get-AuthConfig', remaining: 1 });
    await expect(client.getAuthConfig()).rejects.toBeInstanceOf(AccessDeniedError);

    session.arm({ death: 'before' });
    await expect(client.getAuthConfig()).rejects.toBeInstanceOf(ShellProcessError);
    const servers = await client.getExchangeServers();
    expect(session.stats).toMatchObject({ spawns: 2, deaths: 1 });
    const made = await client
      .newAuthCertificate({ server: nth(servers, 0, 'server').fqdn, services: 'None' })
      .then((c) => c.thumbprint);
    session.arm({ death: 'after' });
    await expect(
      client.stageNextCertificate(made, { kind: 'absolute', iso: new Date(Date.UTC(2030, 0, 3)).toISOString() }, false),
    ).rejects.toBeInstanceOf(ShellProcessError);
    // The change is persisted; the caller never heard of it.
    expect((await client.getAuthConfig()).nextCertificateThumbprint).toBe(made);
    expect(session.stats).toMatchObject({ spawns: 3, deaths: 2 });
  } finally {
    await client.close();
  }
});
