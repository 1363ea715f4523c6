import {
  type ContactsConfigInput,
  ContactsSyncStateStore,
  CoreError,
  ProviderError,
  parseContactsConfig,
} from '@contacts/core';
import { MemoryAddressBook, MemoryContactsProvider } from '@contacts/core/testing';
import { describeDatabase } from '@contacts/schema/testing';
import { afterEach, expect, it, vi } from 'vitest';
import { ContactsModuleError } from '../errors.js';
import { CaptureLogger } from '../test-support/capture-logger.js';
import { ManualClock, ManualTimers } from '../test-support/manual-timers.js';
import { deferred, PageHooks } from '../test-support/page-hooks.js';
import { fixedProviderSource, type ProviderSource } from './provider-source.js';
import { ContactsSyncRuntime } from './sync-runtime.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

describeDatabase('ContactsSyncRuntime', (t) => {
  const runtimes: ContactsSyncRuntime[] = [];
  afterEach(async () => {
    await Promise.all(runtimes.splice(0).map((r) => r.stop()));
  });

  function setup(
    options: {
      sync?: NonNullable<ContactsConfigInput['sync']>;
      people?: number;
      providers?: ProviderSource;
      clock?: ManualClock;
      book?: MemoryAddressBook;
      backoff?: { baseMs?: number; maxMs?: number };
    } = {},
  ) {
    const clock = options.clock ?? new ManualClock();
    const timers = new ManualTimers(clock);
    const logger = new CaptureLogger();
    const book = options.book ?? new MemoryAddressBook(options.people ?? 25);
    const hooks = new PageHooks();
    const provider = new MemoryContactsProvider(book, { name: 'google', onPage: hooks.onPage });
    vi.spyOn(provider, 'close');
    const runtime = new ContactsSyncRuntime({
      db: t.db,
      butlerSchema: t.butlerSchema,
      config: parseContactsConfig({ provider: 'google', sync: options.sync ?? {} }),
      providers: options.providers ?? fixedProviderSource(provider),
      clock,
      timers,
      logger,
      random: () => 0,
      backoff: options.backoff,
    });
    runtimes.push(runtime);
    timers.settle = () => runtime.whenIdle();
    const store = new ContactsSyncStateStore({ db: t.db, butlerSchema: t.butlerSchema, clock });
    const state = () => store.load('google', 'default');
    return { clock, timers, logger, book, provider, hooks, runtime, store, state };
  }

  it('syncs at startup: a full sync when there is no cursor, then waits one interval', async () => {
    const { timers, provider, runtime, state, logger } = setup();
    runtime.start();
    expect(timers.nextDelay()).toBe(0);
    await timers.runNext();
    expect(provider.calls.map((c) => c.mode)).toEqual(['full', 'full', 'full']);
    const s = await state();
    expect(s).toMatchObject({ contactCount: 25, lastError: null });
    expect(s.syncCursor).not.toBeNull();
    expect(s.lastFullSyncAt).not.toBeNull();
    expect(runtime.status()).toMatchObject({ state: 'idle', running: false, consecutiveFailures: 0 });
    expect(timers.nextDelay()).toBe(15 * MINUTE);
    expect(logger.messages()).toContain('contacts_runtime_started');
  });

  it('waits one interval before the first sync when run_on_startup is false', async () => {
    const { timers, provider, runtime } = setup({ sync: { run_on_startup: false } });
    runtime.start();
    expect(timers.nextDelay()).toBe(15 * MINUTE);
    await timers.advance(15 * MINUTE - 1);
    expect(provider.calls).toEqual([]);
    await timers.advance(1);
    expect(provider.calls[0]?.mode).toBe('full');
  });

  it('runs an incremental sync every interval_minutes', async () => {
    const { timers, provider, runtime, book, state } = setup({ sync: { interval_minutes: 5 } });
    runtime.start();
    await timers.runNext();
    provider.calls.length = 0;
    book.edit('people/1', 'Ada Lovelace');
    book.add('Grace Hopper');
    await timers.advance(5 * MINUTE);
    expect(provider.calls).toEqual([{ mode: 'incremental', page: 1, pageToken: null }]);
    expect(runtime.status().lastResult?.summary).toMatchObject({ fetched: 2, created: 1, updated: 1 });
    expect((await state()).contactCount).toBe(26);
    await timers.advance(5 * MINUTE);
    expect(provider.calls.map((c) => c.mode)).toEqual(['incremental', 'incremental']);
  });

  it('forces a full sync full_sync_interval_days after the last one', async () => {
    const { timers, provider, runtime, state, clock } = setup({
      sync: { interval_minutes: 24 * 60, full_sync_interval_days: 6 },
      people: 5,
    });
    const started = clock.now().getTime();
    runtime.start();
    await timers.runNext();
    provider.calls.length = 0;
    await timers.advance(5 * DAY);
    expect(provider.calls.map((c) => c.mode)).toEqual(Array(5).fill('incremental'));
    await timers.advance(DAY);
    expect(provider.calls.map((c) => c.mode)).toEqual([...Array(5).fill('incremental'), 'full']);
    expect((await state()).lastFullSyncAt?.getTime()).toBe(started + 6 * DAY);
  });

  it('measures the forced full sync from the stored last_full_sync_at, across restarts', async () => {
    const clock = new ManualClock();
    const first = setup({ clock, people: 3 });
    first.runtime.start();
    await first.timers.runNext();
    await first.runtime.stop();
    clock.advance(6 * DAY + MINUTE);
    const second = setup({ clock, book: first.book });
    second.runtime.start();
    await second.timers.runNext();
    expect(second.provider.calls[0]?.mode).toBe('full');
    // Short of six days, a restart syncs incrementally.
    clock.advance(DAY);
    await second.runtime.stop();
    const third = setup({ clock, book: first.book });
    third.runtime.start();
    await third.timers.runNext();
    expect(third.provider.calls[0]?.mode).toBe('incremental');
  });

  it('wakes at once on trigger(), and after the running cycle when one runs', async () => {
    const { timers, provider, hooks, runtime, book } = setup();
    runtime.start();
    await timers.runNext();
    provider.calls.length = 0;
    book.add('New Person');
    runtime.trigger();
    expect(timers.nextDelay()).toBe(0);
    await timers.runNext();
    expect(provider.calls).toEqual([{ mode: 'incremental', page: 1, pageToken: null }]);
    expect(runtime.status().lastResult?.summary.created).toBe(1);

    // A trigger during a cycle queues one follow-up cycle (changes made before it are included).
    const held = hooks.holdNextPage();
    provider.calls.length = 0;
    const running = runtime.syncNow();
    await held.reached;
    book.add('Late Person');
    runtime.trigger();
    runtime.trigger();
    held.release();
    await running;
    await runtime.whenIdle();
    expect(provider.calls.map((c) => c.mode)).toEqual(['incremental', 'incremental']);
    expect(runtime.status().lastResult?.summary.created).toBe(1);
    expect(hooks.maxActive).toBe(1);
  });

  it('stops gracefully mid-sync: the page in flight commits, the next start resumes after it', async () => {
    const { timers, provider, hooks, runtime, state, book, clock } = setup();
    const reached = deferred();
    const release = deferred();
    hooks.gate = async (call) => {
      if (call.pageToken === null) return;
      reached.resolve();
      await release.promise;
    };
    runtime.start();
    const firing = timers.runNext();
    await reached.promise; // page 2 is being fetched, while page 1 is being written
    // Stop once page 1 is committed, so that page 2 is the page in flight.
    await vi.waitFor(async () => expect((await state()).checkpoint).not.toBeNull());
    const stopped = runtime.stop();
    release.resolve();
    await stopped;
    await firing;
    const s = await state();
    expect(s.contactCount).toBe(20);
    expect(s.checkpoint).toMatchObject({ mode: 'full' });
    expect(s.lastError).toBeNull();
    expect(s.syncCursor).toBeNull();
    expect(runtime.status()).toMatchObject({ state: 'stopped', running: false });
    expect(runtime.status().lastResult).toMatchObject({ completed: false, pages: 2 });
    expect(provider.close).toHaveBeenCalledTimes(1);
    await expect(runtime.syncNow()).rejects.toMatchObject({ code: 'RUNTIME_NOT_RUNNING' });

    const next = setup({ clock, book });
    next.runtime.start();
    await next.timers.runNext();
    expect(next.provider.calls[0]?.pageToken).not.toBeNull();
    expect(next.runtime.status().lastResult).toMatchObject({ resumed: true, completed: true });
    expect((await state()).contactCount).toBe(25);
  });

  it('backs off exponentially after failures, capped, and resets after a success', async () => {
    const { timers, hooks, runtime, logger } = setup({ backoff: { baseMs: 1000, maxMs: 4000 } });
    for (let i = 0; i < 5; i += 1) {
      hooks.failures.push(new ProviderError('TEMPORARY', `Google answered 503 (attempt ${i + 1}).`));
    }
    runtime.start();
    const delays: (number | null)[] = [];
    for (let i = 0; i < 6; i += 1) {
      await timers.runNext();
      delays.push(timers.nextDelay());
    }
    expect(delays).toEqual([1000, 2000, 4000, 4000, 4000, 15 * MINUTE]);
    expect(logger.find('contacts_sync_backoff').map((l) => l.fields?.attempt)).toEqual([1, 2, 3, 4, 5]);
    expect(runtime.status()).toMatchObject({ state: 'idle', consecutiveFailures: 0, lastError: null });
  });

  it('honours a RATE_LIMITED retryAfterMs over the shorter backoff', async () => {
    const { timers, hooks, runtime, book } = setup();
    hooks.failures.push(new ProviderError('RATE_LIMITED', 'Quota exceeded.', { retryAfterMs: 10 * MINUTE }));
    runtime.start();
    await timers.runNext();
    expect(runtime.status()).toMatchObject({ state: 'backoff', consecutiveFailures: 1 });
    expect(timers.nextDelay()).toBe(10 * MINUTE);
    await expect(runtime.syncNow()).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    // A trigger does not jump the source's retry-after either.
    runtime.trigger();
    expect(timers.nextDelay()).toBe(10 * MINUTE);
    book.add('Someone');
    await timers.runNext();
    expect(runtime.status()).toMatchObject({ state: 'idle', consecutiveFailures: 0, retryAfterUntil: null });
  });

  it('waits in auth_error for new credentials instead of retrying refused ones, then recovers', async () => {
    const book = new MemoryAddressBook(3);
    const credentials = { revision: 'first' };
    const opened: MemoryContactsProvider[] = [];
    const providers: ProviderSource = {
      revision: async () => credentials.revision,
      open: async () => {
        const hooks = new PageHooks();
        if (opened.length === 0) {
          hooks.failures.push(
            new ProviderError('AUTH_FAILED', 'Google refused the refresh token (invalid_grant).'),
          );
        }
        const provider = new MemoryContactsProvider(book, { name: 'google', onPage: hooks.onPage });
        vi.spyOn(provider, 'close');
        opened.push(provider);
        return { provider, revision: credentials.revision };
      },
    };
    const { timers, runtime, logger, state } = setup({ providers, book });
    runtime.start();
    await timers.runNext();
    expect(runtime.status()).toMatchObject({ state: 'auth_error', lastError: { code: 'AUTH_FAILED' } });
    expect(logger.find('contacts_sync_auth_error')).toHaveLength(1);
    expect(timers.nextDelay()).toBe(MINUTE);
    // Same credentials: checked, not retried.
    await timers.runNext();
    await timers.runNext();
    expect(opened).toHaveLength(1);
    expect(opened[0]?.calls).toHaveLength(1);
    expect(runtime.status().state).toBe('auth_error');
    // New credentials: the provider is rebuilt and the sync goes through.
    credentials.revision = 'second';
    await timers.runNext();
    expect(opened).toHaveLength(2);
    expect(opened[0]?.close).toHaveBeenCalledTimes(1);
    expect(runtime.status()).toMatchObject({ state: 'idle', lastError: null });
    expect((await state()).contactCount).toBe(3);
    expect(logger.messages()).toContain('contacts_credentials_changed');
  });

  it('retries after auth_error on trigger() even with the same credentials', async () => {
    const { timers, hooks, runtime } = setup({ people: 2 });
    hooks.failures.push(new ProviderError('AUTH_FAILED', 'Google refused the refresh token.'));
    runtime.start();
    await timers.runNext();
    expect(runtime.status().state).toBe('auth_error');
    runtime.trigger();
    expect(timers.nextDelay()).toBe(0);
    await timers.runNext();
    expect(runtime.status().state).toBe('idle');
  });

  it('runs a sync_now during a poll after it, never at the same time, and shares the follow-up', async () => {
    const { timers, provider, hooks, runtime, book, state } = setup({ people: 15 });
    const held = hooks.holdNextPage();
    runtime.start();
    const poll = timers.runNext();
    await held.reached;
    book.add('Added During Poll');
    const first = runtime.syncNow({ mode: 'full' });
    const second = runtime.syncNow();
    held.release();
    const [a, b] = await Promise.all([first, second]);
    await poll;
    expect(a).toBe(b);
    expect(a.mode).toBe('full');
    expect(hooks.maxActive).toBe(1);
    // The poll's two pages, then the follow-up's two pages.
    expect(provider.calls.map((c) => c.mode)).toEqual(['full', 'full', 'full', 'full']);
    // The follow-up started after the request, so it saw the person added before it.
    expect(a.summary.fetched).toBe(16);
    expect((await state()).contactCount).toBe(16);
  });

  it('treats a sync held by another process (SYNC_IN_PROGRESS) as busy, not as an error', async () => {
    const { timers, provider, runtime, store, logger } = setup();
    await store.acquireLease('google', 'default', 'another-process', 10 * MINUTE);
    runtime.start();
    await timers.runNext();
    expect(provider.calls).toEqual([]);
    expect(runtime.status()).toMatchObject({ state: 'idle', consecutiveFailures: 0, lastError: null });
    expect(logger.messages()).toContain('contacts_sync_busy');
    expect(timers.nextDelay()).toBe(15 * MINUTE);
    const error = await runtime.syncNow().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CoreError);
    expect(error).toMatchObject({ code: 'SYNC_IN_PROGRESS' });
    await store.releaseLease('google', 'default', 'another-process');
    await timers.runNext();
    expect(provider.calls.length).toBeGreaterThan(0);
  });

  it('polls a busy account at the interval even when a forced full sync is overdue (no tight loop)', async () => {
    const { clock, timers, runtime, store } = setup();
    runtime.start();
    await timers.runNext();
    clock.advance(7 * DAY);
    await store.acquireLease('google', 'default', 'another-process', 2 * DAY);
    const delays: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      await timers.runNext();
      delays.push(timers.nextDelay() ?? -1);
    }
    expect(delays).toEqual([15 * MINUTE, 15 * MINUTE, 15 * MINUTE]);
  });

  it('does not run a queued sync before the retry-after its cycle was given', async () => {
    const { hooks, provider, runtime } = setup();
    const held = hooks.holdNextPage();
    const first = runtime.syncNow().catch((e: unknown) => e);
    await held.reached;
    hooks.failures.push(new ProviderError('RATE_LIMITED', 'Quota.', { retryAfterMs: 10 * MINUTE }));
    const queued = runtime.syncNow().catch((e: unknown) => e);
    const callsBefore = provider.calls.length;
    held.release();
    expect(await first).toBeTruthy();
    expect(await queued).toMatchObject({ code: 'RATE_LIMITED' });
    // The held page finished the first cycle's page 1; the rate limit stopped it; nothing after.
    expect(provider.calls.length).toBeLessThanOrEqual(callsBefore + 1);
  });

  it("reports an old runtime error as history once another process's sync succeeded", async () => {
    const { runtime, hooks, store, clock } = setup();
    hooks.failures.push(new ProviderError('TEMPORARY', 'Google answered 503.'));
    await expect(runtime.syncNow()).rejects.toMatchObject({ code: 'TEMPORARY' });
    expect(runtime.status().lastError?.message).toBe('Google answered 503.');
    // A minute later another process (the contacts command, another host) syncs successfully.
    clock.advance(MINUTE);
    await store.save('google', 'default', { lastSuccessAt: clock.now(), lastError: null });
    const { readSyncStatus } = await import('../status/sync-status.js');
    const report = await readSyncStatus({
      db: t.db,
      butlerSchema: t.butlerSchema,
      provider: 'google',
      accountId: 'default',
      syncEnabled: true,
      runtime,
      clock,
    });
    expect(report.last_error).toBeNull();
  });

  it('resumes a backoff after a restart: a new runtime over the same database waits out the same schedule', async () => {
    const clock = new ManualClock();
    const backoff = { baseMs: 1000, maxMs: 60_000 };
    const first = setup({ clock, backoff, people: 3 });
    for (let i = 0; i < 3; i += 1)
      first.hooks.failures.push(new ProviderError('TEMPORARY', 'Google answered 503.'));
    first.runtime.start();
    for (let i = 0; i < 3; i += 1) await first.timers.runNext();
    expect(first.timers.nextDelay()).toBe(4000);
    const stored = await first.state();
    expect(stored).toMatchObject({ consecutiveFailures: 3, parkedReason: null });
    expect(stored.nextIncrementalDueAt?.getTime()).toBe(clock.now().getTime() + 4000);
    await first.runtime.stop();

    // The host restarts a second later: its startup sync waits for the rest of the backoff.
    clock.advance(1000);
    const second = setup({ clock, backoff, book: first.book });
    second.runtime.start();
    await second.timers.runNext();
    expect(second.provider.calls).toEqual([]);
    expect(second.runtime.status()).toMatchObject({ state: 'backoff', consecutiveFailures: 3 });
    expect(second.timers.nextDelay()).toBe(3000);
    // The fourth failure doubles the stored backoff, as if no restart had happened.
    second.hooks.failures.push(new ProviderError('TEMPORARY', 'Google answered 503.'));
    await second.timers.runNext();
    expect(second.timers.nextDelay()).toBe(8000);
    await second.timers.runNext();
    expect(second.runtime.status()).toMatchObject({ state: 'idle', consecutiveFailures: 0 });
    expect(await second.state()).toMatchObject({
      consecutiveFailures: 0,
      retryAfter: null,
      parkedReason: null,
    });
  });

  it("resumes a source's retry-after after a restart: no sync, not even a sync_now, before it", async () => {
    const clock = new ManualClock();
    const first = setup({ clock, people: 2 });
    first.hooks.failures.push(new ProviderError('RATE_LIMITED', 'Quota.', { retryAfterMs: 10 * MINUTE }));
    first.runtime.start();
    await first.timers.runNext();
    await first.runtime.stop();
    clock.advance(4 * MINUTE);
    const second = setup({ clock, book: first.book });
    await expect(second.runtime.syncNow()).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    second.runtime.start();
    await second.timers.runNext();
    expect(second.provider.calls).toEqual([]);
    expect(second.timers.nextDelay()).toBe(6 * MINUTE);
    expect(second.runtime.status().retryAfterUntil?.getTime()).toBe(clock.now().getTime() + 6 * MINUTE);
    await second.timers.runNext();
    expect(second.runtime.status()).toMatchObject({ state: 'idle', retryAfterUntil: null });
  });

  it('resumes an auth wait after a restart: refused credentials are not retried, new ones are', async () => {
    const clock = new ManualClock();
    const book = new MemoryAddressBook(3);
    const credentials = { revision: 'refused' };
    const opened: MemoryContactsProvider[] = [];
    const providers = (fail: boolean): ProviderSource => ({
      revision: async () => credentials.revision,
      open: async () => {
        const hooks = new PageHooks();
        if (fail) hooks.failures.push(new ProviderError('AUTH_FAILED', 'Google refused the refresh token.'));
        const provider = new MemoryContactsProvider(book, { name: 'google', onPage: hooks.onPage });
        opened.push(provider);
        return { provider, revision: credentials.revision };
      },
    });
    const first = setup({ clock, book, providers: providers(true) });
    first.runtime.start();
    await first.timers.runNext();
    expect(first.runtime.status().state).toBe('auth_error');
    const parked = await first.state();
    expect(parked).toMatchObject({ parkedReason: 'auth', nextIncrementalDueAt: null });
    // A fingerprint of the refused revision, never the revision (a digest of the credentials).
    expect(parked.parkedCredentials).toMatch(/^[0-9a-f]{32}$/);
    expect(parked.parkedCredentials).not.toContain('refused');
    await first.runtime.stop();

    const second = setup({ clock, book, providers: providers(false) });
    second.runtime.start();
    await second.timers.runNext();
    await second.timers.runNext();
    expect(opened).toHaveLength(1);
    expect(second.runtime.status().state).toBe('auth_error');
    expect(second.timers.nextDelay()).toBe(MINUTE);
    credentials.revision = 'renewed';
    await second.timers.runNext();
    expect(opened).toHaveLength(2);
    expect(second.runtime.status()).toMatchObject({ state: 'idle', lastError: null });
    expect(await second.state()).toMatchObject({
      parkedReason: null,
      parkedCredentials: null,
      contactCount: 3,
    });
  });

  it('stores the next due times, and sleeps on when another process synced meanwhile', async () => {
    const { clock, timers, runtime, provider, store, state } = setup({ people: 2 });
    runtime.start();
    await timers.runNext();
    const syncedAt = clock.now().getTime();
    const s = await state();
    expect(s.nextIncrementalDueAt?.getTime()).toBe(syncedAt + 15 * MINUTE);
    expect(s.nextFullDueAt?.getTime()).toBe(syncedAt + 6 * DAY);
    // Ten minutes on, another process (the contacts command) syncs and moves the schedule.
    clock.advance(10 * MINUTE);
    await store.save('google', 'default', {
      nextIncrementalDueAt: new Date(clock.now().getTime() + 15 * MINUTE),
    });
    provider.calls.length = 0;
    await timers.runNext();
    expect(provider.calls).toEqual([]);
    expect(timers.nextDelay()).toBe(10 * MINUTE);
    await timers.runNext();
    expect(provider.calls.map((c) => c.mode)).toEqual(['incremental']);
  });

  it('records PERMANENT and retries it only after the longest backoff', async () => {
    const { timers, hooks, runtime, state } = setup({ backoff: { baseMs: 1000, maxMs: 60 * MINUTE } });
    hooks.failures.push(new ProviderError('PERMANENT', 'Google rejected the request with HTTP 404.'));
    runtime.start();
    await timers.runNext();
    expect(runtime.status()).toMatchObject({ state: 'backoff', lastError: { code: 'PERMANENT' } });
    expect(timers.nextDelay()).toBe(60 * MINUTE);
    expect(await state()).toMatchObject({ lastErrorCode: 'PERMANENT', consecutiveFailures: 1 });
  });

  it('refuses trigger() before start() and everything after stop()', async () => {
    const { runtime } = setup();
    expect(() => runtime.trigger()).toThrow(ContactsModuleError);
    runtime.start();
    await runtime.stop();
    expect(() => runtime.trigger()).toThrow(/stopped/);
    expect(() => runtime.start()).toThrow(ContactsModuleError);
  });
});
