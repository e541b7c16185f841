// The simulator's own cost per call against the size of the organisation: the same calls through the simulated shell
// (real node-powershell, one long-lived shell as the service keeps one) on a 2-server and a 200-server organisation,
// on a frozen clock so that nothing but the calls themselves changes the state file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { PowerShell } from 'node-powershell';
import { createOrganization, SIMULATED_SHELL } from 'simulated-exchange';
import { z } from 'zod';
import { median, parseFlags } from './args';

const argsSchema = z.object({
  rounds: z.coerce.number().int().min(3).max(10_000).default(40),
  warmup: z.coerce.number().int().min(0).max(1000).default(3),
});

const SETUP =
  "$ErrorActionPreference = 'Stop'; $ProgressPreference = 'SilentlyContinue'; [Console]::OutputEncoding = [System.Text.Encoding]::UTF8; Add-PSSnapin -Name 'Microsoft.Exchange.Management.PowerShell.SnapIn'";

/** The kinds of call a rotation makes most, each on the server of the round. */
const CALLS = {
  /** Reads that leave the state file alone. */
  read: [
    () => 'Get-AuthConfig | Select-Object -Property CurrentCertificateThumbprint | ConvertTo-Json -Compress',
    (server: string) =>
      `Get-ExchangeCertificate -Server '${server}' | Select-Object -Property Thumbprint | ConvertTo-Json -Compress`,
    (server: string) =>
      `Invoke-Command -ComputerName '${server}' -ScriptBlock { Get-WebAppPoolState -Name 'MSExchangeOWAAppPool' } | Select-Object -Property Value | ConvertTo-Json -Compress`,
  ],
  /**
   * A change, so one write of the state file per call: a setting flipped each round (on a frozen clock a second recycle
   * of the same pool would change nothing, and so write nothing).
   */
  write: [
    (_server: string, round: number) => `Set-OrganizationConfig -OAuth2ClientProfileEnabled $${round % 2 === 0}; 'ok'`,
  ],
} as const;
type Kind = keyof typeof CALLS;

interface Measured {
  scenario: string;
  servers: number;
  stateBytes: number;
  medianMs: Record<Kind, number>;
}

async function measure(scenario: string, rounds: number, warmup: number, dir: string): Promise<Measured> {
  const file = path.join(dir, `${scenario}.json`);
  const org = await createOrganization(scenario, file, { acceleration: 0 });
  const servers = org.servers.map((s) => s.fqdn);
  const shell = new PowerShell({
    executable: SIMULATED_SHELL,
    executableOptions: { '-NoProfile': true, '-NonInteractive': true, '-ExecutionPolicy': 'Bypass' },
    spawnOptions: { env: { ...process.env, EXCHANGE_SIM_STATE: file } },
  });
  const times: Record<Kind, number[]> = { read: [], write: [] };
  try {
    await shell.invoke(SETUP);
    for (let round = 0; round < warmup + rounds; round++) {
      // A different server each round, spread over the whole organisation.
      const server = servers[(round * 37) % servers.length] as string;
      for (const kind of Object.keys(CALLS) as Kind[]) {
        for (const call of CALLS[kind]) {
          const line = call(server, round);
          const t = performance.now();
          const result = await shell.invoke(line);
          const elapsed = performance.now() - t;
          if (result.hadErrors) throw new Error(`${scenario}: ${line} failed: ${result.raw}`);
          if (round >= warmup) times[kind].push(elapsed);
        }
      }
    }
  } finally {
    await shell.dispose().catch(() => undefined);
  }
  const round3 = (n: number) => Number(n.toFixed(3));
  return {
    scenario,
    servers: servers.length,
    stateBytes: fs.statSync(file).size,
    medianMs: { read: round3(median(times.read)), write: round3(median(times.write)) },
  };
}

export async function runSimBench(argv: string[]): Promise<void> {
  const { rounds, warmup } = parseFlags(argv, argsSchema);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-sim-'));
  try {
    const small = await measure('healthy', rounds, warmup, dir);
    const large = await measure('large', rounds, warmup, dir);
    const ratio = (kind: Kind) => Number((large.medianMs[kind] / small.medianMs[kind]).toFixed(3));
    console.log(
      `sim bench: ${rounds} rounds of ${CALLS.read.length} reads and ${CALLS.write.length} write through one simulated shell, frozen clock`,
    );
    for (const m of [small, large]) {
      console.log(
        `  ${m.scenario} (${m.servers} servers, state file ${Math.round(m.stateBytes / 1024)} kB): ` +
          `median read ${m.medianMs.read.toFixed(2)} ms, median write ${m.medianMs.write.toFixed(2)} ms`,
      );
    }
    console.log(`  200 servers / 2 servers: read x${ratio('read')}, write x${ratio('write')}`);
    console.log(
      JSON.stringify({
        bench: 'sim',
        rounds,
        servers: [small.servers, large.servers],
        stateBytes: [small.stateBytes, large.stateBytes],
        readMedianMs: [small.medianMs.read, large.medianMs.read],
        writeMedianMs: [small.medianMs.write, large.medianMs.write],
        readRatio: ratio('read'),
        writeRatio: ratio('write'),
      }),
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
