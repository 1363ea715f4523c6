import { describeDatabase } from '@contacts/schema/testing';
import { expect, it } from 'vitest';
import type { ContactBatch } from '../model/contact-batch.js';
import type { FullSyncRequest } from '../provider/contacts-provider.js';
import { MemoryAddressBook, MemoryContactsProvider } from '../testing/memory-provider.js';
import { runSyncCycle } from './sync-cycle.js';
import type { SyncProgress } from './sync-types.js';

/** A source that says how many contacts its listing holds, as Google's `totalPeople` does. */
class CountingProvider extends MemoryContactsProvider {
  constructor(
    book: MemoryAddressBook,
    private readonly total: unknown,
  ) {
    super(book, { pageSize: 3 });
  }
  override async fullSync(request: FullSyncRequest): Promise<ContactBatch> {
    return { ...(await super.fullSync(request)), total: this.total as number };
  }
}

function book(n: number, tag: string): MemoryAddressBook {
  const b = new MemoryAddressBook();
  for (let i = 1; i <= n; i += 1) {
    b.put({
      external_id: `people/${i}`,
      display_name: `Person ${tag} ${i}`,
      emails: [{ value: `p${i}@${tag}.example.org` }],
    });
  }
  return b;
}

// Issue 14: a sync shows "n of N" when the provider knows the total.
describeDatabase('sync progress with the listing total', (t) => {
  const run = async (provider: MemoryContactsProvider, accountId: string) => {
    const seen: SyncProgress[] = [];
    const result = await runSyncCycle({
      db: t.db,
      butlerSchema: t.butlerSchema,
      provider,
      accountId,
      onProgress: (p) => seen.push(p),
    });
    return { result, seen };
  };

  it('passes the source total and the contacts listed so far with every page', async () => {
    const { result, seen } = await run(new CountingProvider(book(7, 'counted'), 7), 'counted');
    expect(result.completed).toBe(true);
    expect(seen.map((p) => [p.page, p.listed, p.total])).toEqual([
      [1, 3, 7],
      [2, 6, 7],
      [3, 7, 7],
    ]);
  });

  it('leaves the total out when the source gives none, or one that is no count, and still syncs', async () => {
    const plain = await run(new MemoryContactsProvider(book(4, 'plain'), { pageSize: 3 }), 'plain');
    expect(plain.seen.map((p) => [p.listed, 'total' in p])).toEqual([
      [3, false],
      [4, false],
    ]);
    const odd = await run(new CountingProvider(book(4, 'odd'), -2), 'odd');
    expect(odd.result.completed).toBe(true);
    expect(odd.result.summary).toMatchObject({ fetched: 4, applied: 4, failed: 0 });
    expect(odd.seen.every((p) => p.total === undefined)).toBe(true);
  });
});
