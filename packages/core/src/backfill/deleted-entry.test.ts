/**
 * Issue 11, defect 6: a source entry deleted at the source kept controlling fields. Deleted,
 * edited by hand, added again under a new id with the same email, then changed at the source:
 * the job title stayed pinned to the deleted entry's value, the email it had was never removed,
 * and the conflict said several live entries disagree. Through the sync cycle, with the deletion
 * seen by an incremental sync (a tombstone) and by a full sync's sweep of unseen links.
 */
import { queryRows } from '@contacts/schema';
import { describeDatabase } from '@contacts/schema/testing';
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import type { CanonicalContactInput } from '../model/canonical-contact.js';
import { runSyncCycle } from '../sync/sync-cycle.js';
import { MemoryAddressBook, MemoryContactsProvider } from '../testing/memory-provider.js';
import { readContacts } from './crm-snapshot.test-support.js';
import { testEngine } from './engine.test-support.js';

const ada: CanonicalContactInput = {
  external_id: 'people/c1',
  display_name: 'Ada Lovelace',
  emails: [{ value: 'ada@example.org', primary: true }, { value: 'ada@old.example' }],
  organizations: [{ name: 'Analytical Engines', title: 'Engineer' }],
  addresses: [{ street: '1 Main St', city: 'Springfield', country_code: 'US' }],
  birthdays: [{ month: 12, day: 10 }],
  group_memberships: ['groups/friends'],
};

describeDatabase('a source entry deleted at the source', (t) => {
  const s = () => sql.identifier(t.butlerSchema);
  const only = async () => {
    const all = await readContacts(t.db, t.butlerSchema);
    expect(all).toHaveLength(1);
    return all[0]!;
  };
  const conflicts = () =>
    queryRows<{ description: string; details: string }>(
      t.db,
      sql`select description, details::text as details from ${s()}.activity_feed
        where type = 'contact_sync_conflict' order by created_at`,
    );

  for (const deletedBy of ['an incremental sync', 'a full sync'] as const) {
    it(`stops controlling fields and rows once ${deletedBy} saw it go, and its successor takes over`, async () => {
      const book = new MemoryAddressBook();
      const provider = new MemoryContactsProvider(book, { name: 'google', pageSize: 2 });
      const sync = (mode: 'incremental' | 'full' = 'incremental', confirmDeletions = false) =>
        runSyncCycle({
          db: t.db,
          butlerSchema: t.butlerSchema,
          provider,
          accountId: 'default',
          mode,
          confirmDeletions,
        });
      book.put(ada);
      await sync('full');

      book.remove('people/c1');
      await sync(deletedBy === 'a full sync' ? 'full' : 'incremental');
      // The book's only entry gone is held by the deletion guard until a person confirms it; the
      // confirmed deletion must stop counting as the tombstone of a page does.
      expect((await only()).links).toEqual(['google:default:people/c1']);
      await sync('incremental', true);
      expect((await only()).links).toEqual(['google:default:people/c1 (deleted)']);
      // Stored, so that a butler without a link to the entry knows it too.
      const stored = (await only()).metadata as {
        sources: Record<string, Record<string, { deleted?: true }>>;
      };
      expect(stored.sources['google:default']!['people/c1']!.deleted).toBe(true);

      // A person edits the contact by hand: a field the entry never had, and one it wrote.
      const { id } = await only();
      await t.db.execute(
        sql`update shared.contacts set nickname = 'Countess', company = 'Hand Co' where id = ${id}`,
      );

      // Added again at the source: a new id, the same email, no organization yet.
      const { organizations: _, ...withoutJob } = ada;
      book.put({ ...withoutJob, external_id: 'people/c2' });
      await sync();
      // Then the source gives a job title and drops the old email, the address and the birthday.
      book.put({
        ...withoutJob,
        external_id: 'people/c2',
        emails: [{ value: 'ada@example.org', primary: true }],
        organizations: [{ name: 'Analytical Engines', title: 'Manager' }],
        addresses: [],
        birthdays: [],
      });
      await sync();

      const c = await only();
      expect(c.id).toBe(id);
      expect(c.links).toEqual(['google:default:people/c1 (deleted)', 'google:default:people/c2']);
      expect(c.job_title).toBe('Manager'); // was pinned to 'Engineer' by the deleted entry
      expect(c.info.map((i) => i.split('|')[1])).toEqual(['ada@example.org']); // old email removed
      expect(c.addresses).toEqual([]);
      expect(c.dates).toEqual([]);
      expect(c.labels).toEqual(['Friends']);
      // Hand edits stay; the one the source disagrees with is a conflict with a person's edit.
      expect(c.nickname).toBe('Countess');
      expect(c.company).toBe('Hand Co');
      const found = await conflicts();
      expect(found.map((f) => f.description)).toEqual([
        'Kept your edits of Ada Lovelace; google (default) says otherwise for company (yours: "Hand Co", google: "Analytical Engines").',
      ]);
      expect(found.map((f) => f.description).join(' ')).not.toMatch(/several/);
      // The deleted entry's record stays, marked: what it wrote is a source's, not a person's.
      const records = (c.metadata as { sources: Record<string, Record<string, { deleted?: true }>> }).sources[
        'google:default'
      ]!;
      expect(Object.keys(records).sort()).toEqual(['people/c1', 'people/c2']);
      expect(records['people/c1']!.deleted).toBe(true);
      expect(records['people/c2']!.deleted).toBeUndefined();
    });
  }

  it('no longer lets a deleted entry hold a field or a row that a live entry of the contact changes', async () => {
    // Two entries of one account, merged by a shared email; the one with the job is deleted.
    const engine = testEngine(t);
    const { organizations: _, ...withoutJob } = ada;
    await engine.applyBatch([
      { ...ada, etag: 'a1' },
      { ...withoutJob, external_id: 'people/c3', etag: 'b1' },
    ]);
    await engine.applyBatch([{ external_id: 'people/c1', deleted: true }]);
    const summary = await engine.applyBatch([
      {
        ...withoutJob,
        external_id: 'people/c3',
        etag: 'b2',
        emails: [{ value: 'ada@example.org', primary: true }],
        organizations: [{ name: 'Analytical Engines', title: 'Manager' }],
      },
    ]);
    expect(summary).toMatchObject({ applied: 1, conflicts: 0 });
    const c = await only();
    expect(c.job_title).toBe('Manager');
    expect(c.info.map((i) => i.split('|')[1])).toEqual(['ada@example.org']);
    expect(await conflicts()).toEqual([]);
  });

  for (const order of ['deleted first', 'deleted last'] as const) {
    it(`hands a field the deleted entry held to a live entry that has a value, whatever the order in a page (${order})`, async () => {
      const engine = testEngine(t);
      const c3 = (etag: string, title: string): CanonicalContactInput => ({
        ...ada,
        external_id: 'people/c3',
        etag,
        emails: [{ value: 'ada@example.org', primary: true }],
        organizations: [{ name: 'Analytical Engines', title }],
      });
      await engine.applyBatch([{ ...ada, etag: 'a1' }, c3('b1', 'Manager')]);
      expect((await only()).job_title).toBe('Engineer'); // the first entry's, kept
      const deletion = { external_id: 'people/c1', deleted: true };
      const page =
        order === 'deleted first' ? [deletion, c3('b2', 'Director')] : [c3('b2', 'Director'), deletion];
      await engine.applyBatch(page);
      expect((await only()).job_title).toBe('Director');
      // Applied again (a source without etags sends it all again), nothing changes.
      const before = await only();
      await engine.applyBatch(page.map((c) => ({ ...c, etag: null })));
      expect(await only()).toEqual(before);
      const updates = await queryRows<{ description: string }>(
        t.db,
        sql`select description from ${s()}.activity_feed where type = 'contact_sync_updated' order by created_at`,
      );
      expect(updates.map((u) => u.description)).toContain(
        'Updated Ada Lovelace from google (default): job title.',
      );
    });
  }

  it('marks what a tombstoned entry wrote as deleted in the stored provenance, and clears it when it comes back', async () => {
    const engine = testEngine(t);
    await engine.applyBatch([ada]);
    await engine.applyBatch([{ external_id: 'people/c1', deleted: true }]);
    const record = async () => {
      const { metadata } = await only();
      return (metadata as { sources: Record<string, Record<string, { deleted?: true }>> }).sources[
        'google:default'
      ]!['people/c1']!;
    };
    expect((await record()).deleted).toBe(true);
    await engine.applyBatch([{ ...ada, etag: 'again' }]);
    expect((await record()).deleted).toBeUndefined();
    expect((await only()).job_title).toBe('Engineer');
  });
});
