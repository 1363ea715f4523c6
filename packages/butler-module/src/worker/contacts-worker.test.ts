import { descriptorUpstream } from '@contacts/core';
import { createManualClock, type GoogleEmulator, startGoogleEmulator } from '@contacts/google-emulator';
import { googleProviderDescriptor } from '@contacts/provider-google';
import { butlerTables, queryRows } from '@contacts/schema';
import { describeDatabase } from '@contacts/schema/testing';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { sql } from 'drizzle-orm';
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

  it("pauses the source's upstream in the database on a project-wide 429, for every worker, without a failure", async () => {
    // One read a minute for the whole project, on a clock that never moves: the groups listing
    // spends it, the connections listing meets Google's project-wide 429.
    const stormy = await startGoogleEmulator({
      people: 3,
      seed: 6,
      clock: createManualClock(),
      quotas: { readRequestsPerMinutePerProject: 1 },
    });
    closers.push(() => stormy.close());
    const store = new DbCredentialStore({ db: t.db, butlerSchema: t.butlerSchema });
    const credentials = emulatorCredentials(stormy);
    for (const [key, value] of Object.entries(credentials)) await store.set(key, value);
    const config = { provider: 'google', root_url: stormy.url, token_url: stormy.tokenUrl };
    const reports: SyncJobReport[] = [];
    const worker = await startContactsWorker({
      config,
      db: t.db,
      butlerSchema: t.butlerSchema,
      credentialStore: store,
      sweepIntervalSeconds: 0,
      pollingIntervalSeconds: 0.5,
      upstreamCaps: { default: 2 },
      onJob: (report) => reports.push(report),
    });
    closers.push(() => worker.stop());
    await worker.sweep();
    await vi.waitFor(() => expect(reports).toHaveLength(1), { timeout: 30_000, interval: 50 });
    expect(reports[0]).toMatchObject({ key: 'google:default', outcome: 'deferred' });

    const upstream = descriptorUpstream(googleProviderDescriptor, {
      accountId: 'default',
      settings: googleProviderDescriptor.settings.parse({ root_url: stormy.url, token_url: stormy.tokenUrl }),
      credentials: { clientId: stormy.credentials.clientId },
    });
    const pauses = await queryRows<{ upstream: string; until: string }>(
      t.db,
      sql`select upstream, until::text from shared.upstream_pauses`,
    );
    expect(pauses.map((p) => p.upstream)).toEqual([upstream]);
    expect(Date.parse(pauses[0]?.until ?? '')).toBeGreaterThan(Date.now());
    const [state] = await queryRows<{ consecutive_failures: number }>(
      t.db,
      sql`select consecutive_failures from ${sql.raw(`"${t.butlerSchema}"`)}.contacts_sync_state`,
    );
    expect(state?.consecutive_failures).toBe(0);
    // The slot went back when the job ended.
    expect(await queryRows(t.db, sql`select 1 from shared.upstream_slots where lease_until > now()`)).toEqual(
      [],
    );
  });
});
