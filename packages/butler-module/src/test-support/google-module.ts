/**
 * Test support: the module with the real Google provider against the emulator, behind a real
 * MCP client, on manual timers. Not part of the package.
 */
import type { GoogleEmulator } from '@contacts/google-emulator';
import type { ContactsDatabase } from '@contacts/schema';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { DbCredentialStore } from '../credentials/db-credential-store.js';
import { ContactsModule } from '../module/contacts-module.js';
import { CaptureLogger } from './capture-logger.js';
import { ManualClock, ManualTimers } from './manual-timers.js';
import { connectClient, emulatorCredentials, seedCredentials } from './module-harness.js';

/**
 * Stores the emulator's credentials, starts the module (no startup sync) and connects a client.
 * `call` calls a tool; `close` shuts both down.
 *
 * @example
 * ```ts
 * const { call, close } = await startGoogleModule({ db, butlerSchema, emulator });
 * await call('contacts_sync_now', { mode: 'full' });
 * await close();
 * ```
 */
export async function startGoogleModule(options: {
  db: ContactsDatabase;
  butlerSchema: string;
  emulator: GoogleEmulator;
  now?: number;
}) {
  const { db, butlerSchema, emulator } = options;
  const clock = new ManualClock(options.now ?? Date.now());
  const timers = new ManualTimers(clock);
  const logger = new CaptureLogger();
  const store = new DbCredentialStore({ db, butlerSchema, clock });
  await seedCredentials(store, emulatorCredentials(emulator));
  const module = new ContactsModule();
  const server = new McpServer({ name: 'test-butler', version: '0.0.0' });
  module.registerTools(server);
  const client = await connectClient(server);
  await module.onStartup({
    config: { provider: 'google', sync: { run_on_startup: false } },
    db,
    butlerSchema,
    credentialStore: store,
    logger,
    clock,
    timers,
    googleRootUrl: emulator.url,
    googleTokenUrl: emulator.tokenUrl,
    runtime: { random: () => 0 },
  });
  timers.settle = async () => module.runtime?.whenIdle();
  const call = async (name: string, args: Record<string, unknown> = {}) =>
    (await client.callTool({ name, arguments: args })) as CallToolResult;
  const close = async () => {
    await module.onShutdown();
    await client.close();
  };
  return { module, client, call, store, logger, timers, clock, close };
}
