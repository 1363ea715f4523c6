import { ProviderRegistry } from '@contacts/core';
import { MemoryAddressBook, memoryProviderDescriptor } from '@contacts/core/testing';
import { createSyncQueue, openSyncJobs, requestSync } from '@contacts/fleet';
import { butlerTables } from '@contacts/schema';
import { describeDatabase } from '@contacts/schema/testing';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, expect, it } from 'vitest';
import { ManualClock, ManualTimers } from '../test-support/manual-timers.js';
import { connectClient, resultText } from '../test-support/module-harness.js';
import type { FleetSyncRequests } from '../tools/tool-context.js';
import { ContactsModule } from './contacts-module.js';

describeDatabase('the module in fleet mode', (t) => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
  });

  async function start(fleet?: FleetSyncRequests) {
    const clock = new ManualClock();
    const timers = new ManualTimers(clock);
    const registry = new ProviderRegistry().register(
      memoryProviderDescriptor({ books: { family: new MemoryAddressBook(4) } }),
    );
    const module = new ContactsModule({ registry });
    const server = new McpServer({ name: 'test-butler', version: '0.0.0' });
    module.registerTools(server);
    const client = await connectClient(server);
    closers.push(async () => {
      await module.onShutdown();
      await client.close();
    });
    await module.onStartup({
      config: { provider: 'memory', account_id: 'family', sync: { run_on_startup: true } },
      db: t.db,
      butlerSchema: t.butlerSchema,
      clock,
      timers,
      fleet,
    });
    const call = async (name: string, args: Record<string, unknown> = {}) =>
      (await client.callTool({ name, arguments: args })) as CallToolResult;
    return { module, call, timers };
  }
  const links = async () =>
    (await t.db.select().from(butlerTables(t.butlerSchema).contactsSourceLinks)).length;

  it('starts no runtime and sends contacts_sync_now and contacts_source_reconcile as jobs', async () => {
    const requests: unknown[] = [];
    const { module, call, timers } = await start({
      jobSchema: `${t.butlerSchema}_jobs`,
      request: async (request) => void requests.push(request),
    });
    expect(module.sources.map((source) => source.runtime)).toEqual([null]);
    expect(timers.pendingCount).toBe(0); // no poller scheduled

    const now = await call('contacts_sync_now');
    expect(resultText(now)).toContain('queued for the sync workers');
    const reconcile = await call('contacts_source_reconcile');
    expect(reconcile.isError).toBeFalsy();
    expect(reconcile.structuredContent).toMatchObject({ queued: true, provider: 'memory' });
    expect(requests).toEqual([
      { provider: 'memory', accountId: 'family', reason: 'trigger' },
      { provider: 'memory', accountId: 'family', reason: 'reconcile' },
    ]);
    expect(await links()).toBe(0); // nothing synced in this process
  });

  it('keeps the single-host runtime the default, its status without a queue', async () => {
    const { module, call } = await start();
    expect(module.sources[0]?.runtime).not.toBeNull();
    expect((await call('contacts_sync_status')).structuredContent).not.toHaveProperty('queue');
  });

  it('queues a requested sync in pg-boss and shows it in contacts_sync_status', async () => {
    const jobs = await openSyncJobs({ db: t.db, butlerSchema: t.butlerSchema, maintenance: false });
    closers.push(() => jobs.stop());
    await createSyncQueue(jobs.boss);
    await t.db.insert(butlerTables(t.butlerSchema).contactsSyncState).values({
      provider: 'memory',
      accountId: 'family',
      nextIncrementalDueAt: new Date('2999-01-01T00:00:00Z'),
    });
    const { call } = await start({
      jobSchema: jobs.jobSchema,
      request: async (request) => void (await requestSync(jobs, request)),
    });
    await call('contacts_source_reconcile');
    await call('contacts_source_reconcile'); // one job waits, never two
    const status = await call('contacts_sync_status');
    expect(status.structuredContent).toMatchObject({
      queue: { state: 'waiting', waiting: true, running: false, last_job_failed: false },
    });
  });
});
