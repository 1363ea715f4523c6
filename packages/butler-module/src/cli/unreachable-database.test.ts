import { existsSync, watch } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCliProcess } from '../test-support/cli-process.js';
import { acquireDataDirLock, LOCK_FILE } from './data-dir-lock.js';

// Issue 11, defect 9: with a server that accepts TCP and never answers, `contacts status` hung
// past 100 s despite postgres.js' connect_timeout (it rejects only the connection's own query,
// and a server that accepts and then hangs up makes it reconnect for ever); a single SIGTERM did
// not stop `secrets set`, `migrate` or `status`.

/**
 * A loopback server that accepts connections and never says a word. With `hangUpAfterMs` it
 * closes each connection after that long instead of holding it.
 */
async function silentServer(options: { hangUpAfterMs?: number } = {}) {
  const sockets = new Set<Socket>();
  let connections = 0;
  let onConnection: (() => void) | null = null;
  const server = createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    if (options.hangUpAfterMs !== undefined) setTimeout(() => socket.destroy(), options.hangUpAfterMs);
    onConnection?.();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    url: `postgres://ada:hunter2@127.0.0.1:${port}/crm`,
    get connections() {
      return connections;
    },
    /** Resolves once the server has accepted a connection (at once if it already has). */
    accepted: () =>
      new Promise<void>((resolve) => {
        if (connections > 0) resolve();
        else onConnection = resolve;
      }),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

type SilentServer = Awaited<ReturnType<typeof silentServer>>;

const COMMANDS: { name: string; args: string[] }[] = [
  { name: 'migrate', args: ['migrate'] },
  { name: 'secrets set', args: ['secrets', 'set', 'GOOGLE_OAUTH_CLIENT_ID', 'id-1234.apps.example'] },
  { name: 'secrets list', args: ['secrets', 'list'] },
  { name: 'status', args: ['status', '--json'] },
  { name: 'sync', args: ['sync'] },
  { name: 'serve', args: ['serve'] },
];

const INTERRUPTED =
  'contacts: Interrupted by a signal before it finished: the database was closed, and any transaction left open was rolled back.\n';

describe('a PostgreSQL that accepts and never answers (issue 11, defect 9)', () => {
  const servers: SilentServer[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.close()));
  });

  for (const kind of ['holds the connection', 'hangs up before answering'] as const) {
    it(`every command ends after its connect timeout with a sentence when the server ${kind}`, {
      timeout: 240_000,
    }, async () => {
      const server = await silentServer(kind === 'holds the connection' ? {} : { hangUpAfterMs: 50 });
      servers.push(server);
      const runs = await Promise.all(
        COMMANDS.map(async ({ name, args }, i) => {
          // The flag, and for every other command the environment variable.
          const timeout = i % 2 === 0 ? ['--connect-timeout', '0.3'] : [];
          const env: Record<string, string> = i % 2 === 0 ? {} : { CONTACTS_CONNECT_TIMEOUT_SECONDS: '0.3' };
          const cli = startCliProcess([...args, '--database-url', server.url, ...timeout], env);
          return { name, ...(await cli.finished) };
        }),
      );
      expect(server.connections).toBeGreaterThan(0);
      for (const run of runs) {
        expect({ command: run.name, code: run.code, stderr: run.stderr, stdout: run.stdout }).toEqual({
          command: run.name,
          code: 1,
          stderr: `contacts: Could not connect to PostgreSQL at 127.0.0.1:${server.port} within 0.3 s: it did not answer. Check --database-url (or CONTACTS_DATABASE_URL), or allow longer with --connect-timeout.\n`,
          stdout: '',
        });
      }
    });
  }

  it('one SIGTERM ends any command waiting for it, with a sentence and exit code 1', {
    timeout: 240_000,
  }, async () => {
    const runs = await Promise.all(
      COMMANDS.map(async ({ name, args }) => {
        // A server of its own per command: its first connection says this command is waiting.
        const server = await silentServer();
        servers.push(server);
        const cli = startCliProcess([...args, '--database-url', server.url, '--connect-timeout', '600']);
        await server.accepted();
        cli.signal('SIGTERM');
        return { name, ...(await cli.finished) };
      }),
    );
    for (const run of runs) {
      expect({ command: run.name, code: run.code, signal: run.signal, stderr: run.stderr }).toEqual({
        command: run.name,
        code: 1,
        signal: null,
        stderr: INTERRUPTED,
      });
    }
  });
});

describe('one SIGTERM on the embedded database (issue 11, defect 9)', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'contacts-sigterm-'));
  });
  afterAll(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('closes the database and releases the lock', { timeout: 180_000 }, async () => {
    const lockPath = join(dataDir, LOCK_FILE);
    let onLock!: () => void;
    const locked = new Promise<void>((resolve) => {
      onLock = resolve;
    });
    const watcher = watch(dataDir, (_event, name) => {
      if (name === LOCK_FILE && existsSync(lockPath)) onLock();
    });
    try {
      // `migrate`, not `status`: status on a directory without a database says so and opens nothing.
      const cli = startCliProcess(['migrate', '--data-dir', dataDir]);
      // The command holds the data directory and is opening the database (PGlite takes seconds).
      await locked;
      cli.signal('SIGTERM');
      const run = await cli.finished;
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 1, stderr: INTERRUPTED });
    } finally {
      watcher.close();
    }
    expect(existsSync(lockPath)).toBe(false);
    (await acquireDataDirLock(dataDir)).release();
  });
});
