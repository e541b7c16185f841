// `npm start`'s dev server: starts on the given ports with the rotation's search attributes and leaves nothing behind.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { devServerArgs, DevServerError, freePort, isPortOpen, startDevServer } from '../../worker/dev-server';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('the Temporal dev server of npm start', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dev-server-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('command line: ports, persistence and each custom search attribute as a Keyword', () => {
    const args = devServerArgs({ port: 7233, uiPort: 8233, dbFilename: '/x/temporal.db', logFile: '/x/log' });
    expect(args.slice(0, 2)).toEqual(['server', 'start-dev']);
    expect(args.join(' ')).toContain('--port 7233');
    expect(args.join(' ')).toContain('--ui-port 8233');
    expect(args.join(' ')).toContain('--db-filename /x/temporal.db');
    for (const name of ['organization', 'phase', 'outcome']) {
      expect(args.join(' ')).toContain(`--search-attribute ${name}=Keyword`);
    }
  });

  test('starts, registers the search attributes, persists to its database and stops its whole process group', async () => {
    const port = await freePort();
    const uiPort = await freePort();
    const dbFilename = path.join(dir, 'temporal.db');
    const server = await startDevServer({ port, uiPort, dbFilename, logFile: path.join(dir, 'temporal.log') });
    const pid = server.process.pid!;
    try {
      expect(server.address).toBe(`127.0.0.1:${port}`);
      expect(server.uiUrl).toBe(`http://localhost:${uiPort}`);
      const connection = await Connection.connect({ address: server.address });
      try {
        const client = new Client({ connection });
        const response = await client.connection.operatorService.listSearchAttributes({ namespace: 'default' });
        expect(Object.keys(response.customAttributes ?? {})).toEqual(
          expect.arrayContaining(['organization', 'phase', 'outcome']),
        );
      } finally {
        await connection.close();
      }
      expect(fs.existsSync(dbFilename)).toBe(true);
    } finally {
      await server.stop();
    }
    expect(alive(pid)).toBe(false);
    expect(await isPortOpen(port)).toBe(false);
  });

  test('a port in use is a clear error naming the port, and nothing is started', async () => {
    const port = await freePort();
    const uiPort = await freePort();
    const first = await startDevServer({ port, uiPort, logFile: path.join(dir, 'a.log') });
    try {
      await expect(
        startDevServer({ port, uiPort: await freePort(), logFile: path.join(dir, 'b.log') }),
      ).rejects.toThrow(
        new DevServerError(
          `port ${port} (gRPC) is already in use: stop what listens there, or set TEMPORAL_ADDRESS to use that server`,
        ),
      );
    } finally {
      await first.stop();
    }
  });
});
