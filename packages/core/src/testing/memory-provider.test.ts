import { readFileSync } from 'node:fs';
import { contacts } from '@contacts/schema';
import { describeDatabase } from '@contacts/schema/testing';
import { expect, it } from 'vitest';
import { runSyncCycle } from '../sync/sync-cycle.js';
import { describeProviderConformance } from './conformance.js';
import { MemoryAddressBook, MemoryContactsProvider } from './memory-provider.js';

describeProviderConformance('memory provider', {
  setup: async () => {
    const book = new MemoryAddressBook(25);
    return {
      provider: new MemoryContactsProvider(book),
      source: {
        add: async () => book.add('New Person'),
        edit: async (id) => book.edit(id, 'Renamed Person'),
        remove: async (id) => book.remove(id),
        expireCursor: async () => book.expireCursors(),
      },
    };
  },
});

describeDatabase('memory provider through a sync cycle', (t) => {
  it('syncs 25 people over 3 pages, then only what changed', async () => {
    const book = new MemoryAddressBook(25);
    const provider = new MemoryContactsProvider(book);
    const sync = () =>
      runSyncCycle({ db: t.db, butlerSchema: t.butlerSchema, provider, accountId: 'default' });
    const first = await sync();
    expect(first).toMatchObject({ mode: 'full', pages: 3, summary: { created: 25 } });
    book.edit('people/3', 'Grace Hopper');
    const second = await sync();
    expect(second).toMatchObject({ mode: 'incremental', summary: { fetched: 1, updated: 1 } });
    expect((await t.db.select().from(contacts)).map((c) => c.name)).toContain('Grace Hopper');
  });
});

it('is the code docs/providers.md shows', () => {
  const doc = readFileSync(new URL('../../../../docs/providers.md', import.meta.url), 'utf8');
  const source = readFileSync(new URL('./memory-provider.ts', import.meta.url), 'utf8');
  expect(doc).toContain(source.trim());
});
