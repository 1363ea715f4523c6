import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type GoogleEmulator, startGoogleEmulator } from '@contacts/google-emulator';
import { migrate } from '@contacts/schema';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { type CallToolResult, ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DbCredentialStore } from '../credentials/db-credential-store.js';
import { runCli } from '../test-support/cli-harness.js';
import { emulatorCredentials, seedCredentials } from '../test-support/module-harness.js';
import { ServeProcess, waitFor } from '../test-support/serve-process.js';
import { LOCK_FILE } from './data-dir-lock.js';
import { openDatabase } from './open-database.js';

const BIN = fileURLToPath(new URL('../../bin/contacts.mjs', import.meta.url));

describe('contacts serve, as a child process over stdio', () => {
  let emulator: GoogleEmulator;
  let dataDir: string;
  beforeAll(async () => {
    emulator = await startGoogleEmulator({ people: 20, seed: 21 });
    dataDir = await mkdtemp(join(tmpdir(), 'contacts-serve-'));
    // The credentials go in before the server starts, as the dashboard OAuth flow would put them.
    const { db, close } = await openDatabase({ kind: 'pglite', dataDir });
    try {
      await migrate(db);
      const store = new DbCredentialStore({ db });
      await seedCredentials(store, emulatorCredentials(emulator));
    } finally {
      await close();
    }
  });
  afterAll(async () => {
    await emulator?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('speaks MCP on stdout only, syncs in the background, holds the data dir, and stops on close', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN, 'serve', '--data-dir', dataDir, '--google-root-url', emulator.url],
      env: { ...getDefaultEnvironment(), CONTACTS_GOOGLE_TOKEN_URL: emulator.tokenUrl },
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const client = new Client({ name: 'serve-test', version: '0.0.0' });
    const protocolErrors: Error[] = [];
    client.onerror = (error) => protocolErrors.push(error);
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual([
        'contacts_source_list',
        'contacts_source_reconcile',
        'contacts_sync_now',
        'contacts_sync_status',
      ]);
      const status = (await client.callTool({
        name: 'contacts_sync_status',
        arguments: {},
      })) as CallToolResult;
      expect(status.isError).toBeFalsy();
      expect(status.structuredContent).toMatchObject({
        provider: 'google',
        account_id: 'default',
        sync_enabled: true,
      });

      // Runs after the startup sync (single flight), so everything is there and unchanged.
      const synced = (await client.callTool({ name: 'contacts_sync_now', arguments: {} })) as CallToolResult;
      expect(synced.isError, JSON.stringify(synced.content)).toBeFalsy();
      const people = emulator.admin.people().length;
      expect(
        (await client.callTool({ name: 'contacts_sync_status', arguments: {} })).structuredContent,
      ).toMatchObject({
        contact_count: people,
        cursor_present: true,
        last_error: null,
      });

      // A second process on the same data directory is refused while the server holds it.
      const second = await runCli(['status', '--data-dir', dataDir]);
      expect(second.code).toBe(2);
      expect(second.stderr).toMatch(/is in use by another contacts process \(pid \d+\)/);
    } finally {
      await client.close();
    }
    expect(protocolErrors).toEqual([]);
    expect(stderr).toMatch(/info contacts_mcp_serving transport=stdio/);
    expect(stderr).toMatch(/info contacts_sync_finished provider=google/);
    for (const secret of [emulator.credentials.clientSecret, emulator.credentials.refreshToken]) {
      expect(stderr).not.toContain(secret);
    }
    // Stopped cleanly: the runtime logged its stop and the lock is gone.
    expect(stderr).toMatch(/contacts_runtime_stopped/);
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
  });

  const serve = () =>
    ServeProcess.start('serve-test', ['--data-dir', dataDir, '--google-root-url', emulator.url], {
      CONTACTS_GOOGLE_TOKEN_URL: emulator.tokenUrl,
    });

  it('answers a message over 10 MiB with a JSON-RPC error and goes on serving (issue 11: it ended with exit 0)', async () => {
    const server = await serve();
    try {
      // 11 MiB of arguments: the SDK's own transport closed the connection on it.
      const refused = await server
        .call('contacts_sync_status', { provider: 'x'.repeat(11 * 1024 * 1024) })
        .then(
          () => null,
          (error: unknown) => error,
        );
      expect(refused).toBeInstanceOf(McpError);
      expect(refused).toMatchObject({ code: ErrorCode.InvalidRequest });
      expect((refused as McpError).message).toMatch(
        /Message refused: it is \d+ bytes long and this server reads MCP messages of at most 10485760 bytes; nothing in it was acted on\./,
      );
      // Still serving, on the same connection.
      const status = await server.call('contacts_sync_status');
      expect(status).toMatchObject({ isError: false, structured: { provider: 'google' } });
      expect(server.stderr).toMatch(
        /warn contacts_mcp_message_refused size_bytes=\d{8} limit_bytes=10485760 request_id=\d+ message="An MCP message of \d+ bytes was refused/,
      );
      expect(server.stderr).not.toMatch(/client disconnected/);
    } finally {
      await server.close();
    }
    expect(server.protocolErrors).toEqual([]);
  });

  it('answers a contacts_sync_now in flight at SIGTERM before it exits (issue 11: it never got an answer)', async () => {
    const server = await serve();
    try {
      await waitFor('the startup sync', () =>
        /contacts_sync_finished/.test(server.stderr) ? true : undefined,
      );
      // The next page request never gets an answer: the sync is in flight until it is stopped.
      emulator.admin.injectFault({ kind: 'hang', endpoint: 'connections' });
      const call = server.call('contacts_sync_now', { mode: 'full' });
      await waitFor('the hanging page request', () =>
        emulator.admin.pendingFaults().length === 0 ? true : undefined,
      );
      process.kill(server.pid, 'SIGTERM');
      const answer = await call;
      expect(answer.isError).toBe(true);
      expect(answer.text).toBe(
        'The server is stopping, so this sync of google (default) ended after 0 committed page(s); it resumes from its last committed page when the server starts again.',
      );
      await server.exited;
      expect(server.stderr).toMatch(/info contacts_mcp_stopping reason=signal calls_in_flight=1/);
      expect(server.stderr).toMatch(/contacts_runtime_stopped/);
    } finally {
      emulator.admin.clearFaults();
      await server.close();
    }
    expect(server.protocolErrors).toEqual([]);
  });
});
