import { contacts } from '@contacts/schema';
import { describeDatabase } from '@contacts/schema/testing';
import { expect, it } from 'vitest';
import type { CanonicalGroup } from '../model/canonical-contact.js';
import { MemoryAddressBook, MemoryContactsProvider } from '../testing/memory-provider.js';
import { HandTimers } from './hand-timers.test-support.js';
import { runSyncCycle } from './sync-cycle.js';
import { ContactsSyncStateStore } from './sync-state-store.js';
import type { SyncCycleOptions } from './sync-types.js';

// Issue 11, defect 1 (the cycle's half): a page must end within its deadline whatever the provider
// does. Every provider call of the cycle gets its own deadline, shorter than the lease; the cycle
// aborts the call's signal and stops waiting even if the provider ignores it.

/** listGroups never settles, and ignores its signal. */
class StuckGroupsProvider extends MemoryContactsProvider {
  signal: AbortSignal | undefined;
  override listGroups(signal?: AbortSignal): Promise<CanonicalGroup[]> {
    this.signal = signal;
    return new Promise(() => {});
  }
}

describeDatabase('the watchdog of every provider call in a sync cycle', (t) => {
  const run = (provider: MemoryContactsProvider, options: Partial<SyncCycleOptions> = {}) =>
    runSyncCycle({ db: t.db, butlerSchema: t.butlerSchema, provider, accountId: 'default', ...options });
  const store = () => new ContactsSyncStateStore({ db: t.db, butlerSchema: t.butlerSchema });

  it('fails a listGroups that never settles at its deadline, shorter than the lease, and aborts its signal', async () => {
    const timers = new HandTimers();
    const provider = new StuckGroupsProvider(new MemoryAddressBook(3));
    const cycle = run(provider, { timers, lockTtlMs: 60_000 }).catch((e: unknown) => e);
    await timers.whenWaiting();
    // Half the lease: the lease never lapses while the cycle waits.
    expect(timers.waiting).toEqual([30_000]);
    expect(await store().leaseHolder('memory', 'default')).not.toBeNull();
    timers.fireAll();
    const error = await cycle;
    expect(error).toMatchObject({ code: 'TEMPORARY' });
    expect((error as Error).message).toBe(
      "The memory provider did not finish listGroups within 30 s (the sync's deadline for one call): the sync stopped waiting for it and tries again later.",
    );
    expect(provider.signal?.aborted).toBe(true);
    expect(await store().load('memory', 'default')).toMatchObject({
      lastError: (error as Error).message,
      lastErrorCode: 'TEMPORARY',
    });
    expect(await store().leaseHolder('memory', 'default')).toBeNull();
  });

  it('fails a page that never settles at its deadline; the committed page stays and the next cycle resumes', async () => {
    const timers = new HandTimers();
    let hang = true;
    let pageOne!: () => void;
    const committed = new Promise<void>((resolve) => {
      pageOne = resolve;
    });
    const provider = new MemoryContactsProvider(new MemoryAddressBook(9), {
      pageSize: 5,
      onPage: (call) => (hang && call.page === 2 ? new Promise<void>(() => {}) : undefined),
    });
    const cycle = run(provider, {
      timers,
      callDeadlineMs: 45_000,
      onProgress: (p) => p.page === 1 && pageOne(),
    }).catch((e: unknown) => e);
    await committed;
    // Page 1 is written and its watch cleared; page 2 (prefetched) is the one call waiting.
    expect(timers.waiting).toEqual([45_000]);
    timers.fireAll();
    const error = await cycle;
    expect((error as Error).message).toContain('did not finish fullSync (page 2) within 45 s');
    expect(await t.db.select().from(contacts)).toHaveLength(5);
    expect((await store().load('memory', 'default')).checkpoint).toMatchObject({ mode: 'full', pages: 1 });
    hang = false;
    expect(await run(provider, { timers })).toMatchObject({ resumed: true, completed: true });
    expect(await t.db.select().from(contacts)).toHaveLength(9);
    expect(timers.waiting).toEqual([]);
  });

  it('records nothing when its call fails by the deadline after another cycle took the lease over', async () => {
    const timers = new HandTimers();
    let now = Date.parse('2026-01-01T00:00:00Z');
    const clock = { now: () => new Date(now) };
    const provider = new StuckGroupsProvider(new MemoryAddressBook(3));
    const cycle = run(provider, { timers, clock, lockTtlMs: 60_000 }).catch((e: unknown) => e);
    await timers.whenWaiting();
    // Frozen past its lease: another process took the account, synced and let go meanwhile.
    now += 5 * 60_000;
    const other = new ContactsSyncStateStore({ db: t.db, butlerSchema: t.butlerSchema, clock });
    expect(await other.acquireLease('memory', 'default', 'someone-else', 60_000)).toBe(true);
    await other.save('memory', 'default', { lastError: null, lastSuccessAt: clock.now() });
    await other.releaseLease('memory', 'default', 'someone-else');
    timers.fireAll();
    expect(await cycle).toMatchObject({ code: 'TEMPORARY' });
    expect(await store().load('memory', 'default')).toMatchObject({ lastError: null, lastErrorCode: null });
  });

  it('refuses a deadline that is not shorter than the lease, before taking it', async () => {
    const provider = new MemoryContactsProvider(new MemoryAddressBook(1));
    await expect(run(provider, { lockTtlMs: 60_000, callDeadlineMs: 60_000 })).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
    });
    expect(await store().leaseHolder('memory', 'default')).toBeNull();
    expect(await t.db.select().from(contacts)).toHaveLength(0);
  });
});
