import { MemoryAddressBook, MemoryContactsProvider } from '@contacts/core/testing';
import type { EmulatorCredentials } from '@contacts/google-emulator';
import type { ContactsDatabase } from '@contacts/schema';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { DbCredentialStore } from '../credentials/db-credential-store.js';
import { ContactsModule, type ContactsStartupOptions } from '../module/contacts-module.js';
import { CaptureLogger } from './capture-logger.js';
import { ManualClock, ManualTimers } from './manual-timers.js';
import { PageHooks } from './page-hooks.js';

/** Credential values no log line, error or tool result may ever contain. */
export const FAKE_CREDENTIALS = {
  GOOGLE_OAUTH_CLIENT_ID: 'client-id-8e1f0c.apps.example',
  GOOGLE_OAUTH_CLIENT_SECRET: 'client-secret-Zq81xWv3',
  GOOGLE_REFRESH_TOKEN: '1//refresh-token-K7c9d2e4f6a8',
} as const;

/** Stores the three Google credentials (or the given subset). */
export async function seedCredentials(
  store: DbCredentialStore,
  values: Partial<Record<keyof typeof FAKE_CREDENTIALS, string>> = FAKE_CREDENTIALS,
): Promise<void> {
  for (const [key, value] of Object.entries(values)) await store.set(key, value, { category: 'google' });
}

/** The three Google credentials of an emulated account, as {@link seedCredentials} takes them. */
export function emulatorCredentials(emulator: {
  credentials: EmulatorCredentials;
}): Record<keyof typeof FAKE_CREDENTIALS, string> {
  const { clientId, clientSecret, refreshToken } = emulator.credentials;
  return {
    GOOGLE_OAUTH_CLIENT_ID: clientId,
    GOOGLE_OAUTH_CLIENT_SECRET: clientSecret,
    GOOGLE_REFRESH_TOKEN: refreshToken,
  };
}

/** An MCP client connected to `server` over the in-memory transport pair. */
export async function connectClient(server: McpServer): Promise<Client> {
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await server.connect(serverTransport);
  const client = new Client({ name: 'contacts-test-client', version: '0.0.0' });
  await client.connect(clientTransport);
  return client;
}

/** The text of a tool result's first content item. */
export function resultText(result: CallToolResult | Record<string, unknown>): string {
  const content = (result as CallToolResult).content ?? [];
  const first = content[0];
  return first && first.type === 'text' ? first.text : '';
}

/** A module with an in-memory Google stand-in, manual time, captured logs and a connected client. */
export async function startModuleHarness(
  db: ContactsDatabase,
  butlerSchema: string,
  options: Partial<ContactsStartupOptions> & { people?: number; seed?: boolean } = {},
) {
  const clock = new ManualClock();
  const timers = new ManualTimers(clock);
  const logger = new CaptureLogger();
  const book = new MemoryAddressBook(options.people ?? 25);
  const providers: MemoryContactsProvider[] = [];
  /** Applied to every provider the factory builds: fail or hold pages from a test. */
  const hooks = new PageHooks();
  const store = new DbCredentialStore({ db, butlerSchema, clock });
  if (options.seed !== false) await seedCredentials(store);
  const module = new ContactsModule();
  const server = new McpServer({ name: 'test-butler', version: '0.0.0' });
  module.registerTools(server);
  const client = await connectClient(server);
  const startup: ContactsStartupOptions = {
    config: { provider: 'google' },
    db,
    butlerSchema,
    credentialStore: store,
    logger,
    clock,
    timers,
    runtime: { random: () => 0 },
    providerFactory: () => {
      const provider = new MemoryContactsProvider(book, { name: 'google', onPage: hooks.onPage });
      providers.push(provider);
      return provider;
    },
    ...options,
  };
  timers.settle = async () => module.runtime?.whenIdle();
  const call = async (name: string, args: Record<string, unknown> = {}) =>
    (await client.callTool({ name, arguments: args })) as CallToolResult;
  return {
    module,
    server,
    client,
    clock,
    timers,
    logger,
    book,
    providers,
    hooks,
    store,
    startup,
    call,
    start: () => module.onStartup(startup),
    close: async () => {
      await module.onShutdown();
      await client.close();
    },
  };
}
