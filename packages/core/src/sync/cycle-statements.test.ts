import { describeDatabase } from '@contacts/schema/testing';
import { expect, it } from 'vitest';
import { MemoryAddressBook, MemoryContactsProvider } from '../testing/memory-provider.js';
import { runSyncCycle } from './sync-cycle.js';

/**
 * What one page of a sync cycle costs in SQL statements, around the engine's own (see
 * `backfill/statement-count.test.ts`): the checkpoint, the lease renewal, the ids a full listing
 * records, the incremental plan. Counted, not timed: a page of 1,000 contacts costs what a page
 * of 10 does, and one more page costs a fixed number, whatever its size.
 *
 * drizzle logs the savepoint the engine applies a page in (and its release) on PGlite but not on
 * postgres-js: 2 more counted on PGlite for a page that writes.
 */
const perPage = {
  pglite: { full: 16, incremental: 15 },
  postgres: { full: 14, incremental: 13 },
};

describeDatabase('statements per page of a sync cycle', (t) => {
  /** Statements of one cycle over `book`, in pages of `size`. */
  const cycle = async (book: MemoryAddressBook, size: number, mode: 'full' | 'incremental') => {
    const provider = new MemoryContactsProvider(book, { pageSize: size });
    t.statements.reset();
    const result = await runSyncCycle({
      db: t.db,
      butlerSchema: t.butlerSchema,
      provider,
      accountId: 'default',
      mode,
    });
    expect(result).toMatchObject({ mode, completed: true });
    return { statements: t.statements.count, pages: result.pages, summary: result.summary };
  };
  /** A full sync of `pages` pages of `size` new contacts, on an empty database. */
  const full = async (pages: number, size: number) => {
    await t.database.reset();
    const book = new MemoryAddressBook(pages * size);
    const run = await cycle(book, size, 'full');
    expect(run.pages).toBe(pages);
    expect(run.summary).toMatchObject({ created: pages * size, failed: 0 });
    return { book, statements: run.statements };
  };
  /** After a full sync, an incremental one of `pages` pages of `size` renamed contacts. */
  const incremental = async (pages: number, size: number) => {
    const { book } = await full(1, pages * size);
    for (const id of [...book.contacts.keys()]) book.edit(id, `${id} renamed`);
    const run = await cycle(book, size, 'incremental');
    expect(run.pages).toBe(pages);
    expect(run.summary).toMatchObject({ updated: pages * size, failed: 0 });
    return run.statements;
  };

  it('costs a full sync the same for pages of 10 and of 1,000 contacts, and a fixed number per page', async () => {
    const small = (await full(2, 10)).statements;
    const large = (await full(2, 1000)).statements;
    expect(large).toBe(small);
    const third = (await full(3, 1000)).statements;
    expect(third - large).toBe(perPage[t.driver].full);
  });

  it('costs an incremental sync the same for pages of 10 and of 1,000 changes, and a fixed number per page', async () => {
    const small = await incremental(2, 10);
    const large = await incremental(2, 1000);
    expect(large).toBe(small);
    const third = await incremental(3, 1000);
    expect(third - large).toBe(perPage[t.driver].incremental);
  });
});
