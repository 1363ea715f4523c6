import { butlerTables, contacts, queryRows } from '@contacts/schema';
import { describeDatabase } from '@contacts/schema/testing';
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { MemoryAddressBook, MemoryContactsProvider } from '../testing/memory-provider.js';
import { runSyncCycle } from './sync-cycle.js';
import { ContactsSyncStateStore } from './sync-state-store.js';

// A cycle that stalls past its lease (a frozen process, a lost host) while another cycle takes the
// account over, runs to the end and releases the lease. When the stale cycle wakes up, the lease
// is free: it must still not commit its page, nor carry on with the sync the other one finished
// (its sweep would tombstone every link its earlier pages saw), nor mark the account as failed.
// The same case with real processes: butler-module/src/reliability/two-processes.test.ts.
describeDatabase('a sync cycle that lost its lease to a cycle that has finished since', (t) => {
  it('stops without committing, tombstoning or recording an error', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const clock = { now: () => new Date(now) };
    const book = new MemoryAddressBook();
    for (let i = 1; i <= 6; i += 1) {
      book.put({
        external_id: `people/0${i}`,
        display_name: `Person ${i}`,
        emails: [{ value: `p${i}@example.org` }],
      });
    }
    let pageOneCommitted!: () => void;
    const committed = new Promise<void>((resolve) => {
      pageOneCommitted = resolve;
    });
    let other: Awaited<ReturnType<typeof runSyncCycle>> | null = null;
    const stale = new MemoryContactsProvider(book, {
      pageSize: 3,
      onPage: async (call) => {
        if (call.page !== 2) return;
        // Page 2 was prefetched: once page 1 has committed, this cycle stalls past its lease,
        // and another cycle takes the account over and completes.
        await committed;
        now += 11 * 60_000;
        other = await runSyncCycle({
          db: t.db,
          butlerSchema: t.butlerSchema,
          provider: new MemoryContactsProvider(book, { pageSize: 3 }),
          accountId: 'default',
          clock,
          lockOwner: 'other',
        });
      },
    });
    const error = await runSyncCycle({
      db: t.db,
      butlerSchema: t.butlerSchema,
      provider: stale,
      accountId: 'default',
      clock,
      lockOwner: 'stale',
      onProgress: (p) => p.page === 1 && pageOneCommitted(),
    }).catch((e: unknown) => e);

    expect(other).toMatchObject({ resumed: true, completed: true, tombstonedUnseen: 0 });
    expect(error).toMatchObject({ code: 'SYNC_IN_PROGRESS' });
    expect(await t.db.select().from(contacts)).toHaveLength(6);
    const links = await t.db.select().from(butlerTables(t.butlerSchema).contactsSourceLinks);
    expect(links.filter((l) => l.deletedAt !== null)).toEqual([]);
    const [feed] = await queryRows<{ n: number }>(
      t.db,
      sql`select count(*)::int as n from ${sql.identifier(t.butlerSchema)}.activity_feed
        where type = 'contact_sync_deleted_source'`,
    );
    expect(Number(feed?.n)).toBe(0);
    const store = new ContactsSyncStateStore({ db: t.db, butlerSchema: t.butlerSchema, clock });
    expect(await store.leaseHolder('memory', 'default')).toBeNull();
    // The account's state is the finished cycle's: complete, no error from the one that lost.
    expect(await store.load('memory', 'default')).toMatchObject({ checkpoint: null, lastError: null });
  });
});
