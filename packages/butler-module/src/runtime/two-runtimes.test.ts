import {
  type ContactBatch,
  CoreError,
  type FullSyncRequest,
  type IncrementalSyncRequest,
  parseContactsConfig,
} from '@contacts/core';
import { MemoryAddressBook, MemoryContactsProvider } from '@contacts/core/testing';
import { type ContactsDatabase, queryRows } from '@contacts/schema';
import { createTestDatabase, TEST_DATABASE_URL_ENV, type TestDatabase } from '@contacts/schema/testing';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaptureLogger } from '../test-support/capture-logger.js';
import { ManualClock, ManualTimers } from '../test-support/manual-timers.js';
import { PageHooks } from '../test-support/page-hooks.js';
import { fixedProviderSource } from './provider-source.js';
import { ContactsSyncRuntime } from './sync-runtime.js';

/** Counts cycles in flight across every provider it wraps: from the first page to the last. */
class CycleTracker {
  active = 0;
  max = 0;
  cycles = 0;
}

class TrackedProvider extends MemoryContactsProvider {
  constructor(
    book: MemoryAddressBook,
    readonly tracker: CycleTracker,
    readonly hooks = new PageHooks(),
  ) {
    super(book, { name: 'google', pageSize: 5, onPage: hooks.onPage });
  }
  override async fullSync(request: FullSyncRequest): Promise<ContactBatch> {
    this.#begin(request.pageToken);
    return this.#track(await super.fullSync(request));
  }
  override async incrementalSync(request: IncrementalSyncRequest): Promise<ContactBatch> {
    this.#begin(request.pageToken);
    return this.#track(await super.incrementalSync(request));
  }
  // A cycle's first page (an incremental cycle lists no groups unless a page names a new one).
  #begin(pageToken: string | null | undefined): void {
    if (pageToken) return;
    this.tracker.active += 1;
    this.tracker.cycles += 1;
    this.tracker.max = Math.max(this.tracker.max, this.tracker.active);
  }
  async #track(batch: ContactBatch): Promise<ContactBatch> {
    // Yield between pages so that two unguarded cycles would interleave.
    await new Promise((resolve) => setImmediate(resolve));
    if (!batch.next_page_token) this.tracker.active -= 1;
    return batch;
  }
}

const url = process.env[TEST_DATABASE_URL_ENV];

describe.skipIf(!url)('two runtimes, two connections, one PostgreSQL database [postgres]', () => {
  let database: TestDatabase;
  let second: ReturnType<typeof postgres>;
  let otherDb: ContactsDatabase;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    second = postgres(database.url!, { max: 2, onnotice: () => {} });
    otherDb = drizzle(second);
  });
  afterAll(async () => {
    await second?.end({ timeout: 5 });
    await database?.close();
  });

  const runtimeOn = (db: ContactsDatabase, provider: MemoryContactsProvider, clock: ManualClock) => {
    const timers = new ManualTimers(clock);
    const logger = new CaptureLogger();
    const runtime = new ContactsSyncRuntime({
      db,
      butlerSchema: database.butlerSchema,
      config: parseContactsConfig({ provider: 'google' }),
      providers: fixedProviderSource(provider),
      clock,
      timers,
      logger,
      random: () => 0,
    });
    timers.settle = () => runtime.whenIdle();
    return { runtime, timers, logger };
  };

  it('never syncs one account in both at once: the second is busy, not failed', async () => {
    const book = new MemoryAddressBook(23);
    const tracker = new CycleTracker();
    const providerA = new TrackedProvider(book, tracker);
    const providerB = new TrackedProvider(book, tracker);
    const clock = new ManualClock();
    const a = runtimeOn(database.db, providerA, clock);
    const b = runtimeOn(otherDb, providerB, clock);

    // A's startup sync holds its first page while B's startup sync comes due.
    const held = providerA.hooks.holdNextPage();
    a.runtime.start();
    b.runtime.start();
    const firstA = a.timers.runNext();
    await held.reached;
    await b.timers.runNext();
    expect(providerB.calls).toEqual([]);
    expect(b.logger.messages()).toContain('contacts_sync_busy');
    expect(b.runtime.status()).toMatchObject({ state: 'idle', lastError: null, consecutiveFailures: 0 });
    const refused = await b.runtime.syncNow().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CoreError);
    expect(refused).toMatchObject({ code: 'SYNC_IN_PROGRESS' });
    held.release();
    await firstA;

    // Now both race, repeatedly: each round at most one cycle runs at a time.
    let busy = 0;
    for (let round = 0; round < 6; round += 1) {
      book.add(`Round ${round}`);
      const results = await Promise.allSettled([
        a.runtime.syncNow({ mode: round % 2 ? 'full' : 'auto' }),
        b.runtime.syncNow({ mode: round % 3 ? 'auto' : 'full' }),
      ]);
      for (const r of results) {
        if (r.status === 'rejected') {
          expect(r.reason).toMatchObject({ code: 'SYNC_IN_PROGRESS' });
          busy += 1;
        }
      }
    }
    expect(tracker.max).toBe(1);
    expect(tracker.cycles).toBeGreaterThan(6);
    // No person was created twice.
    const [count] = await queryRows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from shared.contacts`,
    );
    expect(Number(count?.n)).toBe(29);
    // The races did happen: the lease turned at least one of them away.
    expect(busy).toBeGreaterThan(0);
    await Promise.all([a.runtime.stop(), b.runtime.stop()]);
  });
});
