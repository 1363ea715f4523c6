import { contacts, queryRows } from '@contacts/schema';
import { describeDatabase } from '@contacts/schema/testing';
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import type { ContactBatch } from '../model/contact-batch.js';
import { ProviderError } from '../provider/provider-error.js';
import {
  MemoryAddressBook,
  MemoryContactsProvider,
  type MemoryContactsProviderOptions,
  type PageCall,
} from '../testing/memory-provider.js';
import { runSyncCycle } from './sync-cycle.js';
import { ContactsSyncStateStore } from './sync-state-store.js';
import type { SyncCycleOptions } from './sync-types.js';

// Issue 11, defect 3: paging never ended. A repeated nextPageToken made 8,201 requests in 90 s
// (and one contacts_sync_seen row per page), a cycle A, B, A the same, and endless fresh pages
// created 130,000 contacts in 60 s. The cycle stops a listing at a token seen before in it, and
// at the provider's bounds, before the offending page is used.

describeDatabase('listing bounds in a sync cycle', (t) => {
  const setup = (n: number, options: MemoryContactsProviderOptions) =>
    new MemoryContactsProvider(new MemoryAddressBook(n), { pageSize: 5, ...options });
  const run = (provider: MemoryContactsProvider, options: Partial<SyncCycleOptions> = {}) =>
    runSyncCycle({ db: t.db, butlerSchema: t.butlerSchema, provider, accountId: 'default', ...options });
  const failure = (provider: MemoryContactsProvider, options: Partial<SyncCycleOptions> = {}) =>
    run(provider, options).then(
      () => {
        throw new Error('expected the listing to be stopped');
      },
      (error: unknown) => error as ProviderError,
    );
  const state = () =>
    new ContactsSyncStateStore({ db: t.db, butlerSchema: t.butlerSchema }).load('memory', 'default');
  const count = async (table: string) =>
    Number(
      (
        await queryRows<{ n: number }>(
          t.db,
          sql`select count(*)::int as n from ${sql.identifier(t.butlerSchema)}.${sql.identifier(table)}`,
        )
      )[0]?.n,
    );
  const people = async () => (await t.db.select().from(contacts)).length;

  it('stops at a page token repeated at once (A, A), without fetching on, and keeps stopping', async () => {
    const provider = setup(20, {
      rewrite: (batch, call) => (call.page >= 2 ? { ...batch, next_page_token: call.pageToken } : batch),
    });
    const error = await failure(provider);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.code).toBe('TEMPORARY');
    expect(error.message).toBe(
      'The memory server repeated the page token of page 1 at page 2 of its full contacts listing: a listing that loops never ends, so it was stopped (the next sync tries again).',
    );
    // Two requests, one committed page, one seen row: not one per request.
    expect(provider.calls.map((c) => c.page)).toEqual([1, 2]);
    expect(await people()).toBe(5);
    expect(await count('contacts_sync_seen')).toBe(1);
    const s = await state();
    expect(s).toMatchObject({ lastError: error.message, lastErrorCode: 'TEMPORARY' });
    expect(s.checkpoint).toMatchObject({ pageToken: provider.calls[1]?.pageToken, pages: 1, items: 5 });

    // Resumed, the listing still knows the token came from page 1: one request, stopped again.
    provider.calls.length = 0;
    expect((await failure(provider)).message).toContain('page token of page 1 at page 2');
    expect(provider.calls).toHaveLength(1);
    expect(await people()).toBe(5);
  });

  it('stops at a cycle of page tokens (A, B, A)', async () => {
    const handedOut = new Map<number, string | null | undefined>();
    const provider = setup(20, {
      rewrite: (batch: ContactBatch, call: PageCall) => {
        handedOut.set(call.page, batch.next_page_token);
        return call.page === 3 ? { ...batch, next_page_token: handedOut.get(1) } : batch;
      },
    });
    const error = await failure(provider);
    expect(error.message).toContain(
      'repeated the page token of page 1 at page 3 of its full contacts listing',
    );
    expect(provider.calls.map((c) => c.page)).toEqual([1, 2, 3]);
    expect(await people()).toBe(10);
  });

  it("stops endless fresh pages at the provider's declared bound, and a resume gets no fresh allowance", async () => {
    let served = 0;
    const endless = (batch: ContactBatch, call: PageCall): ContactBatch => {
      const fresh = Array.from({ length: 5 }, () => {
        served += 1;
        return { external_id: `endless/${served}`, display_name: `Endless ${served}` };
      });
      return {
        ...batch,
        contacts: fresh,
        next_page_token: `${call.page}:0:~${served}`,
        next_sync_cursor: null,
      };
    };
    const provider = setup(0, { rewrite: endless, listingLimits: { maxItems: 23, maxPages: 1000 } });
    const error = await failure(provider);
    expect(error.message).toBe(
      'The memory server sent more contacts in its full contacts listing than any account there holds (25 by page 5, at most 23): it was stopped before page 5 was used (the next sync tries again).',
    );
    expect(provider.calls).toHaveLength(5);
    expect(await people()).toBe(20);
    provider.calls.length = 0;
    await failure(provider);
    expect(provider.calls).toHaveLength(1);
    expect(await people()).toBe(20);
  });

  it('stops endless empty pages at the page bound; the cycle option overrides the provider', async () => {
    const empty = (batch: ContactBatch, call: PageCall): ContactBatch => ({
      ...batch,
      contacts: [],
      next_page_token: `${call.page}:0:~`,
      next_sync_cursor: null,
    });
    const provider = setup(0, { rewrite: empty, listingLimits: { maxItems: 100, maxPages: 4 } });
    expect((await failure(provider, { mode: 'full' })).message).toBe(
      'The memory server did not end its full contacts listing within 4 pages: it was stopped at page 5 (the next sync tries again).',
    );
    expect(provider.calls).toHaveLength(5);
    provider.calls.length = 0;
    expect((await failure(provider, { mode: 'full', listingLimits: { maxPages: 2 } })).message).toContain(
      'within 2 pages',
    );
    expect(provider.calls).toHaveLength(3);
  });

  it('lets an incremental listing carry twice the full bound (each contact once deleted, once new)', async () => {
    const book = new MemoryAddressBook(6);
    const provider = new MemoryContactsProvider(book, {
      pageSize: 5,
      listingLimits: { maxItems: 6, maxPages: 10 },
    });
    await run(provider);
    for (let i = 1; i <= 6; i += 1) book.remove(`people/${i}`);
    for (let i = 1; i <= 6; i += 1) book.add(`New ${i}`);
    const result = await run(provider);
    expect(result).toMatchObject({ mode: 'incremental', completed: true });
    expect(result.summary.fetched).toBe(12);
  });
});
