import { type GoogleEmulator, startGoogleEmulator } from '@contacts/google-emulator';
import { butlerTables } from '@contacts/schema';
import { describeDatabase } from '@contacts/schema/testing';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import { DbCredentialStore } from '../credentials/db-credential-store.js';
import { ContactsModule } from '../module/contacts-module.js';
import { connectClient, emulatorCredentials } from '../test-support/module-harness.js';
import { type ContactsWorker, startContactsWorker } from './contacts-worker.js';
import type { SyncJobReport } from './index.js';

// The real Google provider against the emulator, synced by a worker from pg-boss jobs.
describeDatabase('startContactsWorker', (t) => {
  let emulator: GoogleEmulator;
  beforeAll(async () => {
    emulator = await startGoogleEmulator({ people: 12, seed: 5 });
  });
  afterAll(async () => {
    await emulator?.close();
  });
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  it('sweeps the configured source, syncs it in the worker, and syncs again on a tool request', async () => {
    const store = new DbCredentialStore({ db: t.db, butlerSchema: t.butlerSchema });
    for (const [key, value] of Object.entries(emulatorCredentials(emulator))) await store.set(key, value);
    const config = { provider: 'google', root_url: emulator.url, token_url: emulator.tokenUrl };
    const reports: SyncJobReport[] = [];
    const worker: ContactsWorker = await startContactsWorker({
      config,
      db: t.db,
      butlerSchema: t.butlerSchema,
      credentialStore: store,
      sweepIntervalSeconds: 0,
      pollingIntervalSeconds: 0.5,
      onJob: (report) => reports.push(report),
    });
    closers.push(() => worker.stop());

    expect(await worker.sweep()).toMatchObject({ skipped: false, enqueued: 1 });
    await vi.waitFor(() => expect(reports).toHaveLength(1), { timeout: 30_000, interval: 50 });
    expect(reports[0]).toMatchObject({ key: 'google:default', outcome: 'synced', result: { mode: 'full' } });
    const links = async () =>
      (await t.db.select().from(butlerTables(t.butlerSchema).contactsSourceLinks)).length;
    expect(await links()).toBe(emulator.admin.people().length);
    // Synced: not due again before the interval.
    expect(await worker.sweep()).toMatchObject({ enqueued: 0 });

    // The module in fleet mode queues a sync for the worker.
    const module = new ContactsModule();
    const server = new McpServer({ name: 'test-butler', version: '0.0.0' });
    module.registerTools(server);
    const client = await connectClient(server);
    closers.push(async () => {
      await module.onShutdown();
      await client.close();
    });
    await module.onStartup({
      config,
      db: t.db,
      butlerSchema: t.butlerSchema,
      credentialStore: store,
      fleet: worker.fleet,
    });
    emulator.admin.addPerson({ names: [{ givenName: 'Brand', familyName: 'New' }] });
    const queued = (await client.callTool({
      name: 'contacts_source_reconcile',
      arguments: {},
    })) as CallToolResult;
    expect(queued.structuredContent).toMatchObject({ queued: true });
    await vi.waitFor(() => expect(reports).toHaveLength(2), { timeout: 30_000, interval: 50 });
    expect(reports[1]).toMatchObject({
      outcome: 'synced',
      result: { mode: 'incremental', summary: { created: 1 } },
    });
    expect(await links()).toBe(emulator.admin.people().length);
  });
});
