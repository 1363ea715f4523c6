import { butlerTables, queryRows } from '@contacts/schema';
import { describeDatabase } from '@contacts/schema/testing';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { ContactBatch } from '../model/contact-batch.js';
import { ProviderError } from '../provider/provider-error.js';
import {
  MemoryAddressBook,
  MemoryContactsProvider,
  type MemoryContactsProviderOptions,
} from '../testing/memory-provider.js';
import { DEFAULT_DELETION_GUARD, holdsDeletions } from './deletion-guard.js';
import { runSyncCycle } from './sync-cycle.js';
import { ContactsSyncStateStore } from './sync-state-store.js';
import type { SyncCycleOptions } from './sync-types.js';

// Issue 11, defect 2: a full listing that answered no people (a valid cursor, zero contacts)
// marked every link deleted, put a false "was deleted" entry per person in the feed and left the
// status at 0 contacts. The guard holds such deletions, in full and incremental listings alike.

describe('holdsDeletions', () => {
  it.each([
    [500, 500, true, 'every contact'],
    [1, 1, true, 'every contact of a book of one'],
    [0, 500, false, 'nothing'],
    [5, 25, false, '20% of the smallest guarded book'],
    [6, 25, true, 'more than 20% of it'],
    [9, 10, false, 'most of a small book, not all of it'],
    [200, 1000, false, 'a fifth'],
    [201, 1000, true, 'more than a fifth'],
  ])('deleting %i of %i: %s', (count, of, held) => {
    expect(holdsDeletions(DEFAULT_DELETION_GUARD, count, of)).toBe(held);
  });
});

/** An empty listing, as the hostile server answered it: no people, and a cursor that works. */
const emptyListing =
  (book: MemoryAddressBook) =>
  (batch: ContactBatch): ContactBatch => ({
    ...batch,
    contacts: [],
    next_page_token: null,
    next_sync_cursor: book.cursor(),
  });

describeDatabase('the deletion guard in a sync cycle', (t) => {
  const setup = (n: number, options: MemoryContactsProviderOptions = {}) => {
    const book = new MemoryAddressBook(n);
    let rewrite: MemoryContactsProviderOptions['rewrite'];
    const provider = new MemoryContactsProvider(book, {
      pageSize: 10,
      ...options,
      rewrite: (batch, call) => rewrite?.(batch, call) ?? batch,
    });
    return {
      book,
      provider,
      answerEmpty: (on: boolean) => {
        rewrite = on
          ? (batch, call) => (call.mode === 'full' ? emptyListing(book)(batch) : batch)
          : undefined;
      },
    };
  };
  // Every reading of the clock is a second later: a write after a hold is later than its listing.
  let now = Date.parse('2026-01-01T00:00:00Z');
  const clock = {
    now: () => {
      now += 1000;
      return new Date(now);
    },
  };
  const run = (provider: MemoryContactsProvider, options: Partial<SyncCycleOptions> = {}) =>
    runSyncCycle({
      db: t.db,
      butlerSchema: t.butlerSchema,
      provider,
      accountId: 'default',
      clock,
      ...options,
    });
  const state = () =>
    new ContactsSyncStateStore({ db: t.db, butlerSchema: t.butlerSchema }).load('memory', 'default');
  const deletedLinks = async () =>
    (await t.db.select().from(butlerTables(t.butlerSchema).contactsSourceLinks))
      .filter((l) => l.deletedAt)
      .map((l) => l.externalContactId)
      .sort();
  const deletedFeed = async () =>
    (
      await queryRows<{ details: string }>(
        t.db,
        sql`select details::text as details from ${sql.identifier(t.butlerSchema)}.activity_feed
          where type = 'contact_sync_deleted_source'`,
      )
    ).map((r) => JSON.parse(r.details) as { external_id: string; reason: string });
  const seenRows = async () =>
    Number(
      (
        await queryRows<{ n: number }>(
          t.db,
          sql`select count(*)::int as n from ${sql.identifier(t.butlerSchema)}.contacts_sync_seen`,
        )
      )[0]?.n,
    );

  it('holds every deletion of a full listing that shows nobody, and a full listing that shows them clears it', async () => {
    const { book, provider, answerEmpty } = setup(30);
    await run(provider);
    answerEmpty(true);
    const result = await run(provider, { mode: 'full' });
    expect(result).toMatchObject({ completed: true, tombstonedUnseen: 0, confirmedDeletions: 0 });
    expect(result.summary.deleted).toBe(0);
    expect(result.deletionHold).toMatchObject({ mode: 'full', count: 30, of: 30 });
    expect(await deletedLinks()).toEqual([]);
    expect(await deletedFeed()).toEqual([]);
    // Stored for every process: the status reads 30 contacts and the hold; the listing is done.
    let s = await state();
    expect(s).toMatchObject({
      contactCount: 30,
      lastError: null,
      checkpoint: null,
      syncCursor: book.cursor(),
    });
    expect(s.deletionHold).toMatchObject({ mode: 'full', count: 30, of: 30 });
    expect(s.deletionHold?.listedAt).toBeInstanceOf(Date);
    expect(await seenRows()).toBe(0);

    // An incremental cycle says nothing about them: the hold stands.
    expect((await run(provider)).deletionHold).toMatchObject({ count: 30 });
    // The listing was wrong: a full listing that shows everyone judges again, and nothing is held.
    answerEmpty(false);
    const again = await run(provider, { mode: 'full' });
    expect(again).toMatchObject({ deletionHold: null, tombstonedUnseen: 0 });
    s = await state();
    expect(s.deletionHold).toBeNull();
    expect(await deletedLinks()).toEqual([]);
  });

  it("applies a confirmation to the held listing's deletions only, once", async () => {
    const { book, provider, answerEmpty } = setup(30);
    await run(provider);
    answerEmpty(true);
    await run(provider, { mode: 'full' });
    answerEmpty(false);
    // One of them changes at the source after the hold: it still exists, the confirmation spares it.
    book.edit('people/5', 'Still Here');
    await run(provider);
    // Confirmed: the 29 others are tombstoned and logged, the hold is gone.
    const confirmed = await run(provider, { confirmDeletions: true });
    expect(confirmed).toMatchObject({ confirmedDeletions: 29, deletionHold: null });
    expect(confirmed.summary.deleted).toBe(29);
    const deleted = await deletedLinks();
    expect(deleted).toHaveLength(29);
    expect(deleted).not.toContain('people/5');
    const feed = await deletedFeed();
    expect(feed).toHaveLength(29);
    expect(new Set(feed.map((f) => f.reason))).toEqual(
      new Set(['held by the deletion guard, then confirmed']),
    );
    expect((await state()).deletionHold).toBeNull();

    // No standing override: the next listing that empties the book is held again.
    answerEmpty(true);
    const next = await run(provider, { mode: 'full' });
    expect(next.deletionHold).toMatchObject({ mode: 'full', count: 1, of: 1 });
    expect(await deletedLinks()).toHaveLength(29);
    // A confirmation with nothing held does nothing.
    answerEmpty(false);
    await run(provider, { mode: 'full' });
    expect((await run(provider, { confirmDeletions: true })).confirmedDeletions).toBe(0);
  });

  it.each([
    [30, 6, undefined, false],
    [30, 7, undefined, true],
    [10, 9, undefined, false],
    [10, 10, undefined, true],
    [30, 12, { maxPercent: 50 }, false],
    [30, 16, { maxPercent: 50 }, true],
    [30, 7, { minContacts: 31 }, false],
  ])('a full listing of %i linked contacts missing %i (guard %j): held %s', async (n, gone, guard, held) => {
    const { book, provider } = setup(n);
    await run(provider);
    for (let i = 1; i <= gone; i += 1) book.remove(`people/${i}`);
    const result = await run(provider, { mode: 'full', ...(guard ? { deletionGuard: guard } : {}) });
    if (held) {
      expect(result.deletionHold).toMatchObject({ mode: 'full', count: gone, of: n });
      expect(await deletedLinks()).toEqual([]);
      expect(await deletedFeed()).toEqual([]);
    } else {
      expect(result).toMatchObject({ deletionHold: null, tombstonedUnseen: gone });
      expect(await deletedLinks()).toHaveLength(gone);
      expect(await deletedFeed()).toHaveLength(gone);
    }
  });

  it("judges an incremental listing's deletions together at its end, across pages and a crash", async () => {
    let crash = false;
    const { book, provider } = setup(30, {
      pageSize: 3,
      onPage: (call) => {
        if (crash && call.mode === 'incremental' && call.page === 2)
          throw new ProviderError('TEMPORARY', 'down');
      },
    });
    await run(provider);
    book.edit('people/1', 'Edited One');
    for (let i = 10; i <= 16; i += 1) book.remove(`people/${i}`);
    crash = true;
    await expect(run(provider)).rejects.toMatchObject({ code: 'TEMPORARY' });
    // Page 1 committed with two of the deletions: recorded, not applied.
    expect(await deletedLinks()).toEqual([]);
    expect(await seenRows()).toBe(1);
    crash = false;
    const result = await run(provider);
    expect(result).toMatchObject({ resumed: true, completed: true, mode: 'incremental' });
    expect(result.deletionHold).toMatchObject({ mode: 'incremental', count: 7, of: 30 });
    expect(await deletedLinks()).toEqual([]);
    expect(await deletedFeed()).toEqual([]);
    expect(await seenRows()).toBe(0);
    // The rest of the listing was applied and the cursor moved on: the next sync has nothing.
    const names = await queryRows<{ name: string }>(
      t.db,
      sql`select name from shared.contacts where name = 'Edited One'`,
    );
    expect(names).toHaveLength(1);
    expect((await run(provider)).summary.fetched).toBe(0);

    const confirmed = await run(provider, { confirmDeletions: true });
    expect(confirmed.confirmedDeletions).toBe(7);
    expect(await deletedLinks()).toHaveLength(7);
    expect(await deletedFeed()).toHaveLength(7);
  });

  it('records the deletions of an incremental listing that starts over once, and applies them once', async () => {
    let refusals = 0;
    const { book, provider } = setup(30, {
      pageSize: 3,
      onPage: (call) => {
        if (call.mode === 'incremental' && call.page === 3 && refusals > 0) {
          refusals -= 1;
          throw new ProviderError('PERMANENT', 'the page token is no longer accepted (400)');
        }
      },
    });
    await run(provider);
    // Pages of changes: [1 (deleted), 10 (deleted), 11], [12, 13, 14], [15, 2, 3]; the third is refused once.
    const edited = ['people/11', 'people/12', 'people/13', 'people/14', 'people/15', 'people/2', 'people/3'];
    for (const id of edited) book.edit(id, `Edited ${id}`);
    book.remove('people/1');
    book.remove('people/10');
    refusals = 1;
    const result = await run(provider);
    const pages = provider.calls.filter((c) => c.mode === 'incremental').map((c) => c.page);
    expect(pages).toEqual([1, 2, 3, 1, 2, 3]);
    expect(result).toMatchObject({ mode: 'incremental', completed: true, deletionHold: null });
    expect(result.summary.deleted).toBe(2);
    expect(await deletedLinks()).toEqual(['people/1', 'people/10']);
    expect(await deletedFeed()).toHaveLength(2);
    expect(await seenRows()).toBe(0);
  });

  it('still applies ordinary deletions of an incremental listing, at its end', async () => {
    const { book, provider } = setup(30, { pageSize: 3 });
    await run(provider);
    for (const id of ['people/2', 'people/20', 'people/29']) book.remove(id);
    const result = await run(provider);
    expect(result).toMatchObject({ mode: 'incremental', deletionHold: null });
    expect(result.summary).toMatchObject({ fetched: 3, deleted: 3 });
    expect(await deletedLinks()).toEqual(['people/2', 'people/20', 'people/29']);
    expect((await deletedFeed()).map((f) => f.external_id).sort()).toEqual([
      'people/2',
      'people/20',
      'people/29',
    ]);
    expect((await state()).contactCount).toBe(27);
  });
});
