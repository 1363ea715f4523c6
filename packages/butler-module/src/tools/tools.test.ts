import { ContactsSyncStateStore, ProviderError } from '@contacts/core';
import { MemoryAddressBook, MemoryContactsProvider } from '@contacts/core/testing';
import { contacts } from '@contacts/schema';
import { describeDatabase } from '@contacts/schema/testing';
import { afterEach, expect, it, vi } from 'vitest';
import { resultText, startModuleHarness } from '../test-support/module-harness.js';
import { deferred } from '../test-support/page-hooks.js';

type Harness = Awaited<ReturnType<typeof startModuleHarness>>;

describeDatabase('contacts MCP tools over a real client', (t) => {
  const open: Harness[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((h) => h.close()));
  });
  const harness = async (options: Parameters<typeof startModuleHarness>[2] = {}) => {
    const h = await startModuleHarness(t.db, t.butlerSchema, {
      config: { provider: 'google', sync: { run_on_startup: false } },
      ...options,
    });
    open.push(h);
    return h;
  };

  it('lists the four tools with titles, schemas and honest annotations', async () => {
    const h = await harness();
    const { tools } = await h.client.listTools();
    const byName = Object.fromEntries(tools.map((tool) => [tool.name, tool]));
    expect(Object.keys(byName).sort()).toEqual([
      'contacts_source_list',
      'contacts_source_reconcile',
      'contacts_sync_now',
      'contacts_sync_status',
    ]);
    for (const tool of tools) {
      expect(tool.title).toBeTruthy();
      expect(tool.description?.length).toBeGreaterThan(80);
      expect(tool.outputSchema).toBeDefined();
      expect(tool.inputSchema.properties?.provider).toMatchObject({ enum: ['carddav', 'google'] });
      expect(tool.annotations?.destructiveHint).toBe(false);
    }
    expect(byName.contacts_sync_status?.annotations).toMatchObject({
      readOnlyHint: true,
      openWorldHint: false,
    });
    expect(byName.contacts_source_list?.annotations).toMatchObject({
      readOnlyHint: true,
      openWorldHint: false,
    });
    expect(byName.contacts_sync_now?.annotations).toMatchObject({ readOnlyHint: false, openWorldHint: true });
    expect(byName.contacts_source_reconcile?.annotations).toMatchObject({ readOnlyHint: false });
    expect(byName.contacts_sync_now?.inputSchema.properties?.mode).toMatchObject({
      enum: ['incremental', 'full'],
    });
  });

  it('contacts_sync_now runs a sync and returns its summary, as structuredContent and as text', async () => {
    const h = await harness();
    await h.start();
    const result = await h.call('contacts_sync_now', {});
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toEqual({
      provider: 'google',
      account_id: 'default',
      mode: 'full',
      summary: {
        fetched: 25,
        applied: 25,
        skipped: 0,
        unchanged: 0,
        deleted: 0,
        created: 25,
        updated: 0,
        conflicts: 0,
        failed: 0,
      },
      confirmed_deletions: 0,
      held_deletions: null,
      duration_ms: expect.any(Number),
    });
    expect(JSON.parse(resultText(result))).toEqual(result.structuredContent);

    h.book.edit('people/3', 'Person Three Renamed');
    const again = await h.call('contacts_sync_now', { provider: 'google', mode: 'incremental' });
    expect(again.structuredContent).toMatchObject({
      mode: 'incremental',
      summary: { fetched: 1, updated: 1 },
    });
    const full = await h.call('contacts_sync_now', { mode: 'full' });
    expect(full.structuredContent).toMatchObject({ mode: 'full', summary: { fetched: 25, skipped: 25 } });
  });

  it('contacts_sync_now sends progress notifications when asked for them', async () => {
    const h = await harness();
    await h.start();
    const pages: number[] = [];
    await h.client.callTool({ name: 'contacts_sync_now', arguments: {} }, undefined, {
      onprogress: (progress) => pages.push(progress.progress),
    });
    expect(pages).toEqual([1, 2, 3]);
  });

  it('contacts_sync_now says "n of N" in its progress messages when the source gives the total', async () => {
    // A source that says how many contacts its listing holds, as Google's totalPeople does.
    const book = new MemoryAddressBook(25);
    const h = await harness({
      providerFactory: () =>
        new MemoryContactsProvider(book, { name: 'google', rewrite: (batch) => ({ ...batch, total: 25 }) }),
    });
    await h.start();
    const messages: (string | undefined)[] = [];
    await h.client.callTool({ name: 'contacts_sync_now', arguments: { mode: 'full' } }, undefined, {
      onprogress: (progress) => messages.push(progress.message),
    });
    expect(messages.at(-1)).toBe('full sync: page 3, 25 of 25 contacts fetched');
  });

  it('contacts_sync_status reports cursor, timestamps, errors and counts', async () => {
    const h = await harness();
    await h.start();
    const before = await h.call('contacts_sync_status');
    expect(before.structuredContent).toEqual({
      provider: 'google',
      account_id: 'default',
      sync_enabled: true,
      running: false,
      cursor_present: false,
      cursor_age_seconds: null,
      cursor_issued_at: null,
      last_full_sync_at: null,
      last_incremental_sync_at: null,
      last_success_at: null,
      last_error: null,
      contact_count: 0,
      failed_contacts: 0,
      held_deletions: null,
      next_sync_at: new Date(h.clock.now().getTime() + 15 * 60_000).toISOString(),
      next_full_sync_at: null,
      retry_after: null,
      consecutive_failures: 0,
      parked_reason: null,
    });
    await h.call('contacts_sync_now');
    const syncedAt = h.clock.now().toISOString();
    h.clock.advance(90 * 60_000);
    const after = await h.call('contacts_sync_status', { provider: 'google' });
    expect(after.structuredContent).toMatchObject({
      cursor_present: true,
      cursor_age_seconds: 5400,
      cursor_issued_at: syncedAt,
      last_full_sync_at: syncedAt,
      last_success_at: syncedAt,
      contact_count: 25,
      running: false,
    });
    expect(JSON.parse(resultText(after))).toEqual(after.structuredContent);
  });

  it('contacts_sync_status shows when the next syncs are due, and the backoff after a failure', async () => {
    const h = await harness();
    await h.start();
    await h.call('contacts_sync_now');
    const at = (ms: number) => new Date(h.clock.now().getTime() + ms).toISOString();
    expect((await h.call('contacts_sync_status')).structuredContent).toMatchObject({
      next_sync_at: at(15 * 60_000),
      next_full_sync_at: at(6 * 24 * 60 * 60_000),
      consecutive_failures: 0,
      parked_reason: null,
    });
    h.hooks.failures.push(
      new ProviderError('RATE_LIMITED', 'Quota exceeded.', { retryAfterMs: 20 * 60_000 }),
    );
    await h.call('contacts_sync_now');
    expect((await h.call('contacts_sync_status')).structuredContent).toMatchObject({
      next_sync_at: at(20 * 60_000),
      retry_after: at(20 * 60_000),
      consecutive_failures: 1,
      parked_reason: null,
    });
  });

  it('contacts_sync_status and contacts_source_list show an auth wait stored by another process', async () => {
    const h = await harness();
    await h.start();
    const store = new ContactsSyncStateStore({ db: t.db, butlerSchema: t.butlerSchema, clock: h.clock });
    await store.save('google', 'default', { parkedReason: 'auth', lastSuccessAt: h.clock.now() });
    expect((await h.call('contacts_sync_status')).structuredContent).toMatchObject({
      next_sync_at: null,
      parked_reason: 'auth',
    });
    const list = (await h.call('contacts_source_list')).structuredContent as { sources: unknown[] };
    expect(list.sources[0]).toMatchObject({ status: 'auth_error' });
  });

  it('contacts_sync_now says what follows a refused page token, and what follows PERMANENT', async () => {
    const h = await harness();
    await h.start();
    h.hooks.failures.push(
      new ProviderError(
        'PAGE_TOKEN_REFUSED',
        'Google no longer accepts the page token of people.connections.list.',
      ),
    );
    const refused = await h.call('contacts_sync_now');
    expect(refused.isError).toBe(true);
    expect(resultText(refused)).toBe(
      'The sync of google (default) failed for now: google refused a page token again after the listing had started over once (Google no longer accepts the page token of people.connections.list.). The next sync starts the listing over; the runtime runs it on its own with backoff; call contacts_sync_status to follow it.',
    );
    h.hooks.failures.push(
      new ProviderError('PERMANENT', 'Google rejected people.connections.list with HTTP 404.'),
    );
    const permanent = await h.call('contacts_sync_now');
    expect(resultText(permanent)).toMatch(
      /only after its longest backoff \(an hour\), or when you call contacts_sync_now again/,
    );
  });

  it('contacts_sync_status shows a sync in flight as running', async () => {
    const h = await harness();
    await h.start();
    const held = h.hooks.holdNextPage();
    const syncing = h.call('contacts_sync_now');
    await held.reached;
    expect((await h.call('contacts_sync_status')).structuredContent).toMatchObject({ running: true });
    held.release();
    await syncing;
  });

  it('contacts_source_list reports never_synced, active, error and auth_error', async () => {
    const h = await harness();
    await h.start();
    const status = async () =>
      (await h.call('contacts_source_list')).structuredContent as { sources: unknown[] };
    expect((await status()).sources).toEqual([
      {
        provider: 'google',
        account_id: 'default',
        sync_enabled: true,
        status: 'never_synced',
        last_success_at: null,
        last_error: null,
        held_deletions: null,
      },
    ]);
    await h.call('contacts_sync_now');
    expect((await status()).sources[0]).toMatchObject({
      status: 'active',
      last_success_at: expect.any(String),
    });

    h.hooks.failures.push(new ProviderError('TEMPORARY', 'Google answered 503.'));
    const failed = await h.call('contacts_sync_now');
    expect(failed.isError).toBe(true);
    expect(resultText(failed)).toMatch(/retries on its own/);
    expect((await status()).sources[0]).toMatchObject({
      status: 'error',
      last_error: expect.stringMatching(/503/),
    });

    h.hooks.failures.push(new ProviderError('AUTH_FAILED', 'Google refused the refresh token.'));
    await h.call('contacts_sync_now');
    expect((await status()).sources[0]).toMatchObject({ status: 'auth_error' });

    // Another account with stored state shows up, not synced by this butler.
    const store = new ContactsSyncStateStore({ db: t.db, butlerSchema: t.butlerSchema, clock: h.clock });
    await store.save('google', 'work', { lastSuccessAt: h.clock.now() });
    const all = await status();
    expect(all.sources).toHaveLength(2);
    expect(all.sources[1]).toMatchObject({
      account_id: 'work',
      sync_enabled: false,
      status: 'sync_disabled',
    });
    const filtered = await h.call('contacts_source_list', { provider: 'google' });
    expect((filtered.structuredContent as { sources: unknown[] }).sources).toHaveLength(2);
  });

  it('contacts_source_reconcile wakes the runtime and says per-contact scoping is not supported', async () => {
    const h = await harness();
    await h.start();
    expect(h.timers.nextDelay()).toBe(15 * 60_000);
    const [ada] = await t.db.insert(contacts).values({ name: 'Ada Lovelace' }).returning({ id: contacts.id });
    const result = await h.call('contacts_source_reconcile', { contact_id: ada!.id });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ queued: true, provider: 'google' });
    const note = (result.structuredContent as { note: string }).note;
    expect(note).toMatch(/per-contact scoping is not supported yet/i);
    expect(note).toContain(ada!.id);
    expect(JSON.parse(resultText(result))).toEqual(result.structuredContent);
    expect(h.timers.nextDelay()).toBe(0);
    await h.timers.runNext();
    expect(h.providers[0]?.calls[0]?.mode).toBe('full');
    const plain = await h.call('contacts_source_reconcile');
    expect((plain.structuredContent as { note: string }).note).toMatch(/not supported yet/);
  });

  it('contacts_source_reconcile refuses a contact id that names no CRM contact, and queues nothing (issue 11)', async () => {
    const h = await harness();
    await h.start();
    const missing = 'c0ffee00-0000-4000-8000-000000000001';
    const result = await h.call('contacts_source_reconcile', { contact_id: missing });
    expect(result.isError).toBe(true);
    expect(resultText(result)).toBe(
      `No CRM contact has the id ${missing}: nothing was queued. Pass the id of an existing contact (shared.contacts), or leave contact_id out to sync the whole account.`,
    );
    // Not woken: the regular interval still stands, and no sync ran.
    expect(h.timers.nextDelay()).toBe(15 * 60_000);
    expect(h.logger.lines.map((l) => l.message)).not.toContain('contacts_sync_triggered');
  });

  it('answers a bad provider with an error result naming the supported one', async () => {
    const h = await harness();
    await h.start();
    for (const name of [
      'contacts_sync_now',
      'contacts_sync_status',
      'contacts_source_list',
      'contacts_source_reconcile',
    ]) {
      const result = await h.call(name, { provider: 'outlook' });
      expect(result.isError).toBe(true);
      expect(resultText(result)).toMatch(
        /provider must be one of "carddav", "google", the providers this butler syncs/,
      );
    }
  });

  it('answers with an error result while another process syncs the account', async () => {
    const h = await harness();
    await h.start();
    const store = new ContactsSyncStateStore({ db: t.db, butlerSchema: t.butlerSchema, clock: h.clock });
    await store.acquireLease('google', 'default', 'other-butler', 600_000);
    const result = await h.call('contacts_sync_now');
    expect(result.isError).toBe(true);
    expect(resultText(result)).toMatch(/already running in another process; try again/);
    expect((await h.call('contacts_sync_status')).structuredContent).toMatchObject({ running: true });
  });

  it('a contacts_sync_now in flight when the module stops answers that the server is stopping and where the sync resumes (issue 11)', async () => {
    const h = await harness();
    await h.start();
    const reached = deferred();
    const release = deferred();
    h.hooks.gate = async (call) => {
      // The first page commits; the second, fetched as the stop comes, is not applied.
      if (call.pageToken === null) return;
      reached.resolve();
      await release.promise;
    };
    const call = h.call('contacts_sync_now', { mode: 'full' });
    await reached.promise;
    const stopping = h.module.onShutdown();
    release.resolve();
    await stopping;
    const result = await call;
    expect(result.isError).toBe(true);
    expect(resultText(result)).toMatch(
      /^The server is stopping, so this sync of google \(default\) ended after 1 committed page\(s\); it resumes from its last committed page when the server starts again\.$/,
    );
  });

  it('a contacts_sync_now waiting behind a running sync when the module stops gets the same answer (issue 11)', async () => {
    const h = await harness();
    await h.start();
    const held = h.hooks.holdNextPage();
    const poll = h.timers.runNext();
    await held.reached;
    const asked = vi.spyOn(h.module.runtime!, 'syncNow');
    const call = h.call('contacts_sync_now');
    // Queued behind the poll's cycle as soon as the runtime has been asked (synchronously).
    await vi.waitFor(() => expect(asked).toHaveBeenCalled());
    const stopping = h.module.onShutdown();
    held.release();
    await Promise.all([stopping, poll]);
    const result = await call;
    expect(result.isError).toBe(true);
    expect(resultText(result)).toBe(
      'The server is stopping, so this sync of google (default) ended before it finished; it resumes from its last committed page when the server starts again.',
    );
  });

  it('answers "not running" before startup and after shutdown', async () => {
    const h = await harness();
    for (const name of [
      'contacts_sync_now',
      'contacts_sync_status',
      'contacts_source_list',
      'contacts_source_reconcile',
    ]) {
      const result = await h.call(name);
      expect(result.isError).toBe(true);
      expect(resultText(result)).toMatch(/sync runtime is not running/);
    }
    await h.start();
    await h.module.onShutdown();
    const after = await h.call('contacts_sync_now');
    expect(after.isError).toBe(true);
    expect(resultText(after)).toMatch(/not running/);
  });
});
