import { type GoogleEmulator, startGoogleEmulator } from '@contacts/google-emulator';
import { GoogleContactsProvider } from '@contacts/provider-google';
import { describeDatabase } from '@contacts/schema/testing';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, expect, it } from 'vitest';
import { DbCredentialStore } from '../credentials/db-credential-store.js';
import { ContactsModule } from '../module/contacts-module.js';
import type { SourceReport } from '../status/source-list.js';
import { CaptureLogger } from '../test-support/capture-logger.js';
import { ManualClock, ManualTimers } from '../test-support/manual-timers.js';
import {
  connectClient,
  emulatorCredentials,
  resultText,
  seedCredentials,
} from '../test-support/module-harness.js';

// Issue 11, defect 3, through the runtime: a Google that repeats its nextPageToken made 8,201
// requests in 90 s. The cycle stops the listing at the repeat, the status says what the server
// did, and the runtime retries after its backoff, never in a loop: one request a retry.

const BACKOFF_MS = 30_000; // the runtime's first backoff (DEFAULT_BACKOFF, jitter 0)

describeDatabase('a Google that repeats its page token, through the runtime and the tools', (t) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('stops the listing at the repeat, says so in the status, and backs off instead of looping', async () => {
    const emulator: GoogleEmulator = await startGoogleEmulator({ people: 30, otherContacts: 0, seed: 29 });
    cleanups.push(() => emulator.close());
    const clock = new ManualClock();
    const timers = new ManualTimers(clock);
    const store = new DbCredentialStore({ db: t.db, butlerSchema: t.butlerSchema, clock });
    await seedCredentials(store, emulatorCredentials(emulator));
    const module = new ContactsModule();
    const server = new McpServer({ name: 'paging-butler', version: '0.0.0' });
    module.registerTools(server);
    const client = await connectClient(server);
    cleanups.push(async () => {
      await module.onShutdown();
      await client.close();
    });
    await module.onStartup({
      config: { provider: 'google', sync: { run_on_startup: false } },
      db: t.db,
      butlerSchema: t.butlerSchema,
      credentialStore: store,
      logger: new CaptureLogger(),
      clock,
      timers,
      runtime: { random: () => 0 },
      providerFactory: (request) =>
        new GoogleContactsProvider({
          ...request.credentials,
          rootUrl: emulator.url,
          tokenUrl: emulator.tokenUrl,
          pageSize: 10,
          clock,
          sleep: async () => {},
        }),
    });
    const runtime = module.runtime!;
    timers.settle = () => runtime.whenIdle();
    const call = async (name: string, args: Record<string, unknown> = {}) =>
      (await client.callTool({ name, arguments: args })) as CallToolResult;

    emulator.admin.injectFault({ kind: 'repeatPageToken', endpoint: 'connections', times: 10_000 });
    const refused = await call('contacts_sync_now');
    expect(refused.isError).toBe(true);
    const what =
      'The google server repeated the page token of page 1 at page 2 of its full contacts listing: a listing that loops never ends, so it was stopped (the next sync tries again).';
    expect(resultText(refused)).toContain(what);
    expect(emulator.admin.requestCount('connections')).toBe(2);
    expect((await call('contacts_sync_status')).structuredContent).toMatchObject({
      last_error: what,
      contact_count: 10,
    });
    const sources = (await call('contacts_source_list')).structuredContent as { sources: SourceReport[] };
    expect(sources.sources[0]).toMatchObject({ status: 'error', last_error: what });

    // The runtime waits out its backoff, then resumes once: one request, stopped again, a longer wait.
    expect(runtime.status()).toMatchObject({ state: 'backoff', consecutiveFailures: 1 });
    expect(timers.nextDelay()).toBe(BACKOFF_MS);
    await timers.runNext();
    expect(emulator.admin.requestCount('connections')).toBe(3);
    expect(runtime.status()).toMatchObject({ state: 'backoff', consecutiveFailures: 2 });
    expect(timers.nextDelay()).toBe(2 * BACKOFF_MS);

    // Google pages right again: the next retry resumes and completes.
    emulator.admin.clearFaults();
    await timers.runNext();
    expect(runtime.status()).toMatchObject({ state: 'idle', consecutiveFailures: 0, lastError: null });
    expect((await call('contacts_sync_status')).structuredContent).toMatchObject({
      last_error: null,
      contact_count: 30,
    });
  });
});
