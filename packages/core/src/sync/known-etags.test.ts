import { butlerTables } from '@contacts/schema';
import { describeDatabase } from '@contacts/schema/testing';
import { expect, it } from 'vitest';
import type { FullSyncRequest, IncrementalSyncRequest } from '../provider/contacts-provider.js';
import { MemoryAddressBook, MemoryContactsProvider } from '../testing/memory-provider.js';
import { knownEtagsLookup } from './known-etags-lookup.js';
import { runSyncCycle } from './sync-cycle.js';

/** A memory provider that asks the engine for the versions it holds, and counts the asking. */
class CountingProvider extends MemoryContactsProvider {
  lookups = 0;
  constructor(book: MemoryAddressBook, pageSize = 10) {
    super(book, { useKnownEtags: true, pageSize });
  }
  override fullSync(request: FullSyncRequest) {
    return super.fullSync({ ...request, knownEtags: this.#count(request.knownEtags) });
  }
  override incrementalSync(request: IncrementalSyncRequest) {
    return super.incrementalSync({ ...request, knownEtags: this.#count(request.knownEtags) });
  }
  #count(known: FullSyncRequest['knownEtags']): FullSyncRequest['knownEtags'] {
    if (!known) return undefined;
    return (ids) => {
      this.lookups += 1;
      return known(ids);
    };
  }
}

// Issue 13: the engine tells a provider which (id, version) pairs it holds, so a source that
// lists versions before bodies (CardDAV) neither downloads nor sends an unchanged contact, and
// the full sync's sweep does not take "not sent" for "deleted".
describeDatabase('knownEtags: unchanged contacts a provider does not send', (t) => {
  const sync = (provider: MemoryContactsProvider, mode: 'full' | 'incremental' | 'auto' = 'auto') =>
    runSyncCycle({ db: t.db, butlerSchema: t.butlerSchema, provider, accountId: 'default', mode });
  const links = async () =>
    (await t.db.select().from(butlerTables(t.butlerSchema).contactsSourceLinks))
      .map((l) => `${l.externalContactId}${l.deletedAt ? ' (deleted)' : ''}`)
      .sort();

  it('a restarted full sync of an unchanged book sends nothing, writes nothing and tombstones nobody', async () => {
    const book = new MemoryAddressBook(25);
    const first = await sync(new CountingProvider(book), 'full');
    expect(first.summary).toMatchObject({ fetched: 25, created: 25, unchanged: 0 });
    const before = await links();

    const restarted = new CountingProvider(book);
    t.statements.reset();
    const again = await sync(restarted, 'full');
    expect(again).toMatchObject({ mode: 'full', completed: true, pages: 3, tombstonedUnseen: 0 });
    expect(again.summary).toMatchObject({
      fetched: 0,
      unchanged: 25,
      applied: 0,
      created: 0,
      updated: 0,
      deleted: 0,
      failed: 0,
    });
    expect(restarted.calls.map((c) => c.mode)).toEqual(['full', 'full', 'full']);
    // One lookup per page, whatever the page holds.
    expect(restarted.lookups).toBe(3);
    expect(await links()).toEqual(before);
  });

  it('sends a changed contact, tombstones a removed one, and keeps the unchanged ones', async () => {
    const book = new MemoryAddressBook(25);
    await sync(new CountingProvider(book), 'full');
    book.edit('people/7', 'Grace Hopper');
    book.remove('people/12');
    const restarted = new CountingProvider(book);
    const again = await sync(restarted, 'full');
    expect(again.summary).toMatchObject({ fetched: 1, unchanged: 23, updated: 1, deleted: 1, failed: 0 });
    expect(again.tombstonedUnseen).toBe(1);
    expect((await links()).filter((l) => l.endsWith('(deleted)'))).toEqual(['people/12 (deleted)']);
  });

  it('a full sync resumed from a checkpoint spares the unchanged ids its earlier pages recorded', async () => {
    const book = new MemoryAddressBook(25);
    await sync(new CountingProvider(book), 'full');
    // The second page of the next full sync fails: the first page (10 unchanged) is committed.
    const failing = new MemoryContactsProvider(book, {
      useKnownEtags: true,
      onPage: (call) => {
        if (call.page === 2) throw new Error('The source went away.');
      },
    });
    await expect(sync(failing, 'full')).rejects.toThrow('went away');
    const resumed = await sync(new CountingProvider(book));
    expect(resumed).toMatchObject({ mode: 'full', resumed: true, completed: true, tombstonedUnseen: 0 });
    expect(resumed.summary).toMatchObject({ unchanged: 15, deleted: 0 });
    expect((await links()).filter((l) => l.endsWith('(deleted)'))).toEqual([]);
  });

  it('an incremental page counts its unchanged ids and writes only the changed ones', async () => {
    const book = new MemoryAddressBook(5);
    const provider = new CountingProvider(book);
    await sync(provider, 'full');
    // The same content put again: the source's log names it, its version did not change.
    book.putRaw('people/2', book.contacts.get('people/2'));
    book.edit('people/3', 'Ada King');
    const next = await sync(provider);
    expect(next).toMatchObject({ mode: 'incremental' });
    expect(next.summary).toMatchObject({ fetched: 1, unchanged: 1, updated: 1 });
  });

  it('the lookup answers live links with a CRM contact and a version only, in one statement', async () => {
    const book = new MemoryAddressBook(3);
    await sync(new CountingProvider(book), 'full');
    book.remove('people/3');
    await sync(new CountingProvider(book), 'full');
    const known = knownEtagsLookup(t.db, {
      butlerSchema: t.butlerSchema,
      provider: 'memory',
      accountId: 'default',
    });
    t.statements.reset();
    const held = await known(['people/1', 'people/2', 'people/3', 'people/404', 'people/1']);
    expect(t.statements.count).toBe(1);
    expect([...held].sort()).toEqual([
      ['people/1', 'v1'],
      ['people/2', 'v2'],
    ]);
    const other = knownEtagsLookup(t.db, {
      butlerSchema: t.butlerSchema,
      provider: 'memory',
      accountId: 'work',
    });
    expect((await other(['people/1'])).size).toBe(0);
    await expect(known(Array.from({ length: 100_001 }, (_, i) => `people/${i}`))).rejects.toThrow(
      /at most 100000/,
    );
  });

  it('an account that holds no link is found out by the first lookup; later ones of the cycle send nothing', async () => {
    const book = new MemoryAddressBook(3);
    await sync(new CountingProvider(book), 'full');
    const lookup = (accountId: string) =>
      knownEtagsLookup(t.db, { butlerSchema: t.butlerSchema, provider: 'memory', accountId });
    const empty = lookup('never-synced');
    t.statements.reset();
    expect((await empty(['people/1'])).size).toBe(0);
    expect((await empty(['people/2', 'people/3'])).size).toBe(0);
    expect(t.statements.count).toBe(1);
    // An account with links asks on every call.
    const held = lookup('default');
    t.statements.reset();
    expect((await held(['people/1'])).get('people/1')).toBe('v1');
    expect((await held(['people/2'])).get('people/2')).toBe('v2');
    expect(t.statements.count).toBe(2);
  });
});
