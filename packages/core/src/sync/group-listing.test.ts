import { queryRows } from '@contacts/schema';
import { describeDatabase } from '@contacts/schema/testing';
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import type { CanonicalGroup } from '../model/canonical-contact.js';
import { MemoryAddressBook, MemoryContactsProvider } from '../testing/memory-provider.js';
import { runSyncCycle } from './sync-cycle.js';
import { ContactsSyncStateStore } from './sync-state-store.js';
import type { SyncCycleOptions } from './sync-types.js';

/** Counts its group listings. */
class CountingProvider extends MemoryContactsProvider {
  groupListings = 0;
  override async listGroups(signal?: AbortSignal): Promise<CanonicalGroup[]> {
    this.groupListings += 1;
    return super.listGroups(signal);
  }
}

// Every provider inherits it: a full sync lists the groups, an incremental one only when a page
// names a group the account does not know (at most once a cycle), so a quiet poll lists none.
describeDatabase('when a sync cycle lists contact groups', (t) => {
  const setup = (people: number) => {
    const book = new MemoryAddressBook(people);
    return { book, provider: new CountingProvider(book, { pageSize: 3 }) };
  };
  /** The listings `mode`'s cycle made (on a new provider when `fresh`: a restarted process). */
  const listingsOf = async (
    provider: CountingProvider,
    mode: NonNullable<SyncCycleOptions['mode']>,
    fresh = false,
  ): Promise<number> => {
    const on = fresh ? new CountingProvider(provider.book, { pageSize: 3 }) : provider;
    const before = on.groupListings;
    const result = await runSyncCycle({
      db: t.db,
      butlerSchema: t.butlerSchema,
      provider: on,
      accountId: 'default',
      mode,
    });
    expect(result.completed).toBe(true);
    return on.groupListings - before;
  };
  const labels = async () =>
    (
      await queryRows<{ name: string }>(
        t.db,
        sql`select name from ${sql.identifier(t.butlerSchema)}.labels order by name`,
      )
    ).map((r) => r.name);

  it('lists them for a full sync, for none of a quiet or known-groups poll, and stores them', async () => {
    const { book, provider } = setup(7);
    expect(await listingsOf(provider, 'full')).toBe(1);
    expect(await labels()).toEqual(['Friends']);
    const stored = await new ContactsSyncStateStore({ db: t.db, butlerSchema: t.butlerSchema }).load(
      'memory',
      'default',
    );
    expect(stored.groups).toEqual({ 'groups/friends': { name: 'Friends', system: false } });

    expect(await listingsOf(provider, 'incremental')).toBe(0);
    book.add('Ada'); // in Friends, known
    expect(await listingsOf(provider, 'incremental')).toBe(0);
    book.add('Grace');
    expect(await listingsOf(provider, 'incremental', true)).toBe(0);
    expect(await listingsOf(provider, 'full')).toBe(1);
  });

  it('lists them once for an incremental listing whose pages name a new group, then not again', async () => {
    const { book, provider } = setup(4);
    await listingsOf(provider, 'full');
    book.groups.push({ external_id: 'groups/chess', name: 'Chess', system: false, deleted: false });
    for (const name of ['Ada', 'Grace', 'Edsger', 'Barbara', 'Alan', 'Donald', 'Frances']) {
      const id = book.add(name);
      const contact = book.contacts.get(id)!;
      book.put({ ...contact, group_memberships: ['groups/friends', 'groups/chess'] });
    }
    expect(await listingsOf(provider, 'incremental')).toBe(1); // 3 pages, one listing
    expect(await labels()).toEqual(['Chess', 'Friends']);
    book.edit('people/5', 'Ada King');
    expect(await listingsOf(provider, 'incremental', true)).toBe(0);
  });

  it('lists them in an incremental cycle whose cursor expired (it ran a full sync)', async () => {
    const { book, provider } = setup(4);
    await listingsOf(provider, 'full');
    book.expireCursors();
    expect(await listingsOf(provider, 'incremental')).toBe(1);
  });

  it('stores the groups a retry of failed contacts listed: the next quiet cycle lists none', async () => {
    const { book, provider } = setup(2);
    // Malformed (month 13), so it fails and is retried at the end of every later cycle; it names
    // a group the full sync's listing did not return.
    book.putRaw('people/month13', {
      external_id: 'people/month13',
      display_name: 'Month Thirteen',
      birthdays: [{ month: 13, day: 1 }],
      group_memberships: ['groups/chess'],
    });
    expect(await listingsOf(provider, 'full')).toBe(1);
    book.groups.push({ external_id: 'groups/chess', name: 'Chess', system: false, deleted: false });
    // Quiet: no page names a group; the retry does, and lists them.
    expect(await listingsOf(provider, 'incremental')).toBe(1);
    const stored = await new ContactsSyncStateStore({ db: t.db, butlerSchema: t.butlerSchema }).load(
      'memory',
      'default',
    );
    expect(Object.keys(stored.groups ?? {}).sort()).toEqual(['groups/chess', 'groups/friends']);
    // Before the fix the listing was never saved, and every cycle's retry listed them again.
    expect(await listingsOf(provider, 'incremental', true)).toBe(0);
  });

  it('forgets at a full sync a group deleted at the source; a name the listing lacks makes no label', async () => {
    const { book, provider } = setup(2);
    book.groups.push({ external_id: 'groups/old', name: 'Old', system: false, deleted: false });
    await listingsOf(provider, 'full');
    book.groups.pop();
    await listingsOf(provider, 'full');
    const stored = await new ContactsSyncStateStore({ db: t.db, butlerSchema: t.butlerSchema }).load(
      'memory',
      'default',
    );
    expect(Object.keys(stored.groups ?? {})).toEqual(['groups/friends']);
    const id = book.add('Ada');
    book.put({ ...book.contacts.get(id)!, group_memberships: ['groups/old'] });
    // Unknown: listed once in this cycle, still unknown, so no label (never the opaque id).
    expect(await listingsOf(provider, 'incremental')).toBe(1);
    expect(await labels()).toEqual(['Friends']);
  });
});
