// The Temporal CLI dev server `npm start` and the demo run when no TEMPORAL_ADDRESS is given: a child process in its own
// process group, so Ctrl-C reaches our handler first and the server outlives the worker's graceful shutdown.
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { searchAttributeFlags } from '../common/search-attributes';

/** The repository root, from source (worker/) and from dist/worker/ alike. */
export function repoRoot(from: string = __dirname): string {
  let dir = from;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'scripts', 'ensure-tools.js'))) {
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the repository root above ${from}`);
    dir = parent;
  }
}

export class DevServerError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DevServerError';
  }
}

/** TEMPORAL_CLI_PATH, else the CLI `node scripts/ensure-tools.js` installed. */
export function temporalCliPath(env: NodeJS.ProcessEnv = process.env): string {
  const file = env.TEMPORAL_CLI_PATH || path.join(repoRoot(), '.tools', 'bin', 'temporal');
  if (!fs.existsSync(file)) {
    throw new DevServerError(`the Temporal CLI is not at ${file}: run "npm run tools" or set TEMPORAL_CLI_PATH`);
  }
  return file;
}

export interface DevServerOptions {
  port: number;
  uiPort: number;
  /** Persists workflows across restarts; absent keeps them in memory. */
  dbFilename?: string;
  /** Server output goes here instead of the console. */
  logFile: string;
  ip?: string;
  startTimeoutMs?: number;
}

export interface DevServer {
  address: string;
  uiUrl: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export function devServerArgs(options: DevServerOptions): string[] {
  const args = ['server', 'start-dev', '--ip', options.ip ?? '127.0.0.1', '--port', String(options.port)];
  args.push('--ui-port', String(options.uiPort), '--log-level', 'warn', '--ui-disable-news-fetch');
  if (options.dbFilename) args.push('--db-filename', options.dbFilename);
  args.push(...searchAttributeFlags());
  return args;
}

export function isPortOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.setTimeout(1000, () => done(false));
  });
}

/** A port nobody listens on now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const ip = options.ip ?? '127.0.0.1';
  for (const [label, port] of [
    ['gRPC', options.port],
    ['Web UI', options.uiPort],
  ] as const) {
    if (await isPortOpen(port, ip)) {
      throw new DevServerError(
        `port ${port} (${label}) is already in use: stop what listens there, or set TEMPORAL_ADDRESS to use that server`,
      );
    }
  }
  if (options.dbFilename) fs.mkdirSync(path.dirname(options.dbFilename), { recursive: true });
  fs.mkdirSync(path.dirname(options.logFile), { recursive: true });
  const log = fs.openSync(options.logFile, 'a');
  const child = spawn(temporalCliPath(), devServerArgs(options), {
    stdio: ['ignore', log, log],
    detached: process.platform !== 'win32',
  });
  fs.closeSync(log);

  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolve();
    });
    child.once('error', (error) => {
      exited = { code: null, signal: null };
      process.stderr.write(`temporal: ${error.message}\n`);
      resolve();
    });
  });
  // Whatever happens to us, the server does not outlive this process.
  const killOnExit = () => {
    if (!exited) killGroup(child, 'SIGKILL');
  };
  process.on('exit', killOnExit);

  const stop = async () => {
    process.off('exit', killOnExit);
    if (exited) return;
    killGroup(child, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 10_000);
    await exitPromise;
    clearTimeout(timer);
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  // The Web UI comes up a little after the frontend; both are promised to the user, so wait for both.
  for (const port of [options.port, options.uiPort]) {
    while (!(await isPortOpen(port, ip))) {
      if (exited) {
        process.off('exit', killOnExit);
        throw new DevServerError(
          `the Temporal dev server exited (${exited.signal ?? `code ${exited.code}`}) before listening; see ${options.logFile}`,
        );
      }
      if (Date.now() > deadline) {
        await stop();
        throw new DevServerError(
          `the Temporal dev server did not listen on port ${port} in time; see ${options.logFile}`,
        );
      }
      await sleep(200);
    }
  }
  // Open ports are not proof enough: another process may hold one of them while ours exited failing to bind it.
  if (exited) {
    process.off('exit', killOnExit);
    throw new DevServerError(
      `the Temporal dev server exited (${exited.signal ?? `code ${exited.code}`}); another process holds one of its ports? see ${options.logFile}`,
    );
  }
  return { address: `${ip}:${options.port}`, uiUrl: `http://localhost:${options.uiPort}`, process: child, stop };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    // The negative pid reaches the whole group: the CLI and anything it started.
    if (process.platform !== 'win32') process.kill(-child.pid, signal);
    else child.kill(signal);
  } catch {
    // already gone
  }
}
