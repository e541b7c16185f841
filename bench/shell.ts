// The PowerShell layer against the simulated shell: how many shell processes 100 cmdlet calls start (goal 1), and
// how much time the layer (render, envelope, serialisation, zod) adds to a bare node-powershell round trip of the
// same command line (goal: median ratio <= 1.2).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { PowerShell } from 'node-powershell';
import { SIMULATOR_CLI } from 'simulated-exchange';
import { z } from 'zod';
import { median, parseFlags } from './args';
import { AUTH_CONFIG_PROPERTIES, createExchangeClient, ExchangeShell } from '../activities/powershell/client';
import { ShellSessionPool } from '../activities/powershell/pool';
import { EXECUTABLE_OPTIONS, findRepoRoot, launchFor, parseShellSettings } from '../activities/powershell/settings';

const argsSchema = z.object({
  calls: z.coerce.number().int().min(10).max(100_000).default(100),
  warmup: z.coerce.number().int().min(0).max(1000).default(10),
});

export async function runShellBench(argv: string[]): Promise<void> {
  const { calls, warmup } = parseFlags(argv, argsSchema);
  const root = findRepoRoot(__dirname);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-shell-'));
  const stateFile = path.join(dir, 'state.json');
  execFileSync(process.execPath, [SIMULATOR_CLI, 'create', 'healthy', '--state', stateFile, '--acceleration', '0']);

  const settings = parseShellSettings({ simulatorState: stateFile });
  const launch = launchFor(settings, root);
  const pool = new ShellSessionPool();
  const client = createExchangeClient(settings, { pool });
  const shell = (client as unknown as { shell: ExchangeShell }).shell;
  // The same command line the layer sends, for the bare round trip.
  const line = shell.render('Get-AuthConfig', {}, AUTH_CONFIG_PROPERTIES);

  const bare = new PowerShell({
    executable: launch.executable,
    executableOptions: { ...EXECUTABLE_OPTIONS },
    spawnOptions: { env: launch.env },
  });
  try {
    await bare.invoke(launch.setupLine);
    for (let i = 0; i < warmup; i++) {
      await client.getAuthConfig();
      await bare.invoke(line);
    }
    // Without a warm-up no call has run on the client's shell yet: nothing counted so far.
    const before = warmup > 0 ? shell.session.stats : { spawns: 0, calls: 0 };
    const spawnsBefore = before.spawns;
    const callsBefore = before.calls;
    const ours: number[] = [];
    const theirs: number[] = [];
    // Interleaved, so drift in the machine's load hits both sides alike.
    for (let i = 0; i < calls; i++) {
      let t = performance.now();
      await client.getAuthConfig();
      ours.push(performance.now() - t);
      t = performance.now();
      const result = await bare.invoke(line);
      JSON.parse(result.raw);
      theirs.push(performance.now() - t);
    }
    const measuredCalls = shell.session.stats.calls - callsBefore;
    // Every start the layer made, warm-up included, over every call it served: a layer that starts once for its whole
    // life scores 100/calls, and a restart anywhere shows. Warm-up only steadies the timings.
    const spawns = shell.session.stats.spawns;
    const layerCalls = shell.session.stats.calls;
    const spawnsPer100Calls = Number(((spawns / layerCalls) * 100).toFixed(3));
    const ourMedian = median(ours);
    const bareMedian = median(theirs);
    const overheadRatio = Number((ourMedian / bareMedian).toFixed(3));
    console.log(`shell bench: ${calls} Get-AuthConfig calls through the layer and bare node-powershell, interleaved`);
    console.log(
      `  shell processes started by the layer: ${spawns} for ${layerCalls} calls (${spawnsBefore} during ${warmup} warm-up calls, ${spawns - spawnsBefore} during ${measuredCalls} measured)`,
    );
    console.log(
      `  median per call: layer ${ourMedian.toFixed(2)} ms, bare node-powershell ${bareMedian.toFixed(2)} ms`,
    );
    console.log(
      `  p90 per call: layer ${quantile(ours, 0.9).toFixed(2)} ms, bare ${quantile(theirs, 0.9).toFixed(2)} ms`,
    );
    console.log(
      `  goals: spawnsPer100Calls <= 1 (${spawnsPer100Calls <= 1 ? 'met' : 'MISSED'}), overheadRatio <= 1.2 (${overheadRatio <= 1.2 ? 'met' : 'MISSED'})`,
    );
    console.log(
      JSON.stringify({
        bench: 'shell',
        calls,
        spawnsPer100Calls,
        spawns,
        layerCalls,
        overheadRatio,
        layerMedianMs: Number(ourMedian.toFixed(3)),
        bareMedianMs: Number(bareMedian.toFixed(3)),
      }),
    );
  } finally {
    await bare.dispose().catch(() => undefined);
    await pool.closeAll();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}
