/**
 * Issue 11, defect 7: two butler schemas syncing one account disagreed. Provenance was kept per
 * source in `shared.contacts.metadata` while addresses, dates and labels live per butler schema:
 * after a removal at the source the butler that synced second kept the old rows forever (full
 * syncs too), and a butler removed an address a person had added by hand in it. Each butler's
 * rows are now judged by what was written to that butler. Also: provenance stored before this
 * (one list for every butler) keeps working.
 */
import { migrate, queryRows } from '@contacts/schema';
import { describeDatabase } from '@contacts/schema/testing';
import { sql } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import type { CanonicalContactInput, CanonicalGroup } from '../model/canonical-contact.js';
import { DEFAULT_DELETION_GUARD } from '../sync/deletion-guard.js';
import { recordListingIds, sweepUnseen } from '../sync/full-sync-seen.js';
import { type ContactView, readContacts } from './crm-snapshot.test-support.js';
import { testEngine } from './engine.test-support.js';

const OTHER = 'household';
const groups: CanonicalGroup[] = [
  { external_id: 'g/friends', name: 'Friends', system: false, deleted: false },
  { external_id: 'g/chess', name: 'Chess', system: false, deleted: false },
];
const ada = (version: number, extra: Partial<CanonicalContactInput> = {}): CanonicalContactInput => ({
  external_id: 'people/c1',
  etag: `v${version}`,
  display_name: 'Ada Lovelace',
  emails: [{ value: 'ada@example.org', primary: true }],
  addresses: [
    { street: '1 Main St', city: 'Springfield', country_code: 'US' },
    { street: '2 Side Rd', city: 'Shelbyville', country_code: 'US' },
  ],
  birthdays: [{ month: 12, day: 10 }],
  anniversaries: [{ month: 6, day: 1, type: 'wedding' }],
  group_memberships: ['g/friends', 'g/chess'],
  ...extra,
});
/** The source drops one of each: an address, a date, a group. */
const adaLater = ada(2, {
  addresses: [{ street: '1 Main St', city: 'Springfield', country_code: 'US' }],
  anniversaries: [],
  group_memberships: ['g/friends'],
});

describeDatabase('two butler schemas on one account', (t) => {
  beforeAll(async () => {
    await migrate(t.db, { butlerSchema: OTHER });
  });
  const engine = (butlerSchema: string) => testEngine({ db: t.db, butlerSchema }, { groups });
  const view = async (butlerSchema: string): Promise<ContactView> => {
    const all = await readContacts(t.db, butlerSchema);
    expect(all).toHaveLength(1);
    return all[0]!;
  };
  const rows = async (butlerSchema: string) => {
    const c = await view(butlerSchema);
    return { addresses: c.addresses.map((a) => a.split('|')[1]), dates: c.dates, labels: c.labels };
  };
  const full = {
    addresses: ['1 Main St', '2 Side Rd'],
    dates: ['birthday|12|10|', 'wedding|6|1|'],
    labels: ['Chess', 'Friends'],
  };
  const later = { addresses: ['1 Main St'], dates: ['birthday|12|10|'], labels: ['Friends'] };

  for (const order of [
    ['relationship', OTHER],
    [OTHER, 'relationship'],
  ]) {
    it(`removes what the source removed in both, when ${order[0]} syncs first`, async () => {
      const [first, second] = order as [string, string];
      await engine(first).applyBatch([ada(1)]);
      await engine(second).applyBatch([ada(1)]);
      expect(await rows(first)).toEqual(full);
      expect(await rows(second)).toEqual(full);

      await engine(first).applyBatch([adaLater]);
      await engine(second).applyBatch([adaLater]);
      expect(await rows(first)).toEqual(later);
      expect(await rows(second)).toEqual(later); // kept the three forever before
    });
  }

  for (const removedFirstIn of ['relationship', OTHER]) {
    it(`never removes a row a person added by hand in one butler because the other synced it (${removedFirstIn} sees the removal first)`, async () => {
      await engine('relationship').applyBatch([ada(1)]);
      // In the other butler, a person had typed the same address, date and label before it synced.
      const { id } = await view(OTHER);
      const s = sql.identifier(OTHER);
      await t.db.execute(
        sql`insert into ${s}.addresses (contact_id, label, line_1, city, country) values (${id}, 'Home', '2 Side Rd', 'Shelbyville', 'US')`,
      );
      await t.db.execute(
        sql`insert into ${s}.important_dates (contact_id, label, month, day) values (${id}, 'wedding', 6, 1)`,
      );
      await t.db.execute(sql`insert into ${s}.labels (name) values ('Chess')`);
      await t.db.execute(
        sql`insert into ${s}.contact_labels (label_id, contact_id) select id, ${id} from ${s}.labels where name = 'Chess'`,
      );
      await engine(OTHER).applyBatch([ada(1)]);
      expect(await rows(OTHER)).toEqual(full);

      const rest = removedFirstIn === OTHER ? 'relationship' : OTHER;
      await engine(removedFirstIn).applyBatch([adaLater]);
      await engine(rest).applyBatch([adaLater]);
      expect(await rows('relationship')).toEqual(later);
      // The source never wrote them in this butler: they stay the person's.
      expect(await rows(OTHER)).toEqual(full);
    });
  }

  it('keeps the rows shared by every butler (fields, emails) under one provenance', async () => {
    await engine('relationship').applyBatch([
      ada(1, { emails: [{ value: 'ada@example.org' }, { value: 'a@old.org' }] }),
    ]);
    await engine(OTHER).applyBatch([
      ada(1, { emails: [{ value: 'ada@example.org' }, { value: 'a@old.org' }] }),
    ]);
    await engine('relationship').applyBatch([ada(2, { nickname: 'Countess' })]);
    await engine(OTHER).applyBatch([ada(2, { nickname: 'Countess' })]);
    const c = await view(OTHER);
    expect(c.info.map((i) => i.split('|')[1])).toEqual(['ada@example.org']);
    expect(c.nickname).toBe('Countess');
    const conflicts = await queryRows<{ n: number }>(
      t.db,
      sql`select (select count(*) from ${sql.identifier(t.butlerSchema)}.activity_feed where type = 'contact_sync_conflict')
        + (select count(*) from ${sql.identifier(OTHER)}.activity_feed where type = 'contact_sync_conflict') as n`,
    );
    expect(Number(conflicts[0]!.n)).toBe(0);
  });

  it('reads provenance stored before it was kept per butler, for the butler that had linked the entry', async () => {
    await engine('relationship').applyBatch([ada(1)]);
    await engine(OTHER).applyBatch([ada(1)]);
    // Back to the form an earlier release stored: one list of child keys for every butler.
    const { id, metadata } = await view('relationship');
    const stored = metadata as {
      sources: Record<string, Record<string, Record<string, unknown>>>;
      butler_sources: Record<string, Record<string, Record<string, Record<string, string[]>>>>;
    };
    const legacy = {
      sources: {
        'google:default': {
          'people/c1': {
            ...stored.sources['google:default']!['people/c1'],
            ...stored.butler_sources.relationship!['google:default']!['people/c1'],
          },
        },
      },
      note: 'kept',
    };
    await t.db.execute(
      sql`update shared.contacts set metadata = ${JSON.stringify(legacy)}::text::jsonb where id = ${id}`,
    );

    await engine('relationship').applyBatch([adaLater]);
    await engine(OTHER).applyBatch([adaLater]);
    expect(await rows('relationship')).toEqual(later);
    expect(await rows(OTHER)).toEqual(later);
    const after = (await view(OTHER)).metadata as Record<string, unknown>;
    expect(after.note).toBe('kept');
    expect(Object.keys(after.butler_sources as object).sort()).toEqual([OTHER, 'relationship']);
  });

  it('lets a butler that never linked the entry judge its own rows, not by the lists stored for every butler', async () => {
    await engine('relationship').applyBatch([ada(1)]);
    const { id, metadata } = await view('relationship');
    const stored = metadata as {
      sources: Record<string, Record<string, Record<string, unknown>>>;
      butler_sources: Record<string, Record<string, Record<string, Record<string, string[]>>>>;
    };
    const legacy = {
      sources: {
        'google:default': {
          'people/c1': {
            ...stored.sources['google:default']!['people/c1'],
            ...stored.butler_sources.relationship!['google:default']!['people/c1'],
          },
        },
      },
    };
    await t.db.execute(
      sql`update shared.contacts set metadata = ${JSON.stringify(legacy)}::text::jsonb where id = ${id}`,
    );
    // A person had typed the address in the other butler, which then syncs for the first time.
    const s = sql.identifier(OTHER);
    await t.db.execute(
      sql`insert into ${s}.addresses (contact_id, label, line_1, city, country) values (${id}, 'Home', '2 Side Rd', 'Shelbyville', 'US')`,
    );
    await engine(OTHER).applyBatch([ada(1)]);
    await engine(OTHER).applyBatch([adaLater]);
    expect((await rows(OTHER)).addresses).toEqual(['1 Main St', '2 Side Rd']);
  });

  it('lets a deletion one butler saw (a full sync sweep) stop counting in a butler syncing another source', async () => {
    // The same person from two sources: google in one butler, a work address book in the other.
    await engine('relationship').applyBatch([
      ada(1, { organizations: [{ name: 'Engines', title: 'Engineer' }] }),
    ]);
    const work = testEngine({ db: t.db, butlerSchema: OTHER }, { provider: 'memory', accountId: 'work' });
    await work.applyBatch([
      {
        external_id: 'w/1',
        etag: 'w1',
        display_name: 'Ada Lovelace',
        emails: [{ value: 'ada@example.org' }],
      },
    ]);
    // A full sync of google that no longer sees the entry.
    // Two more entries it still sees (links only), so that one unseen of three is an ordinary
    // deletion, not one the deletion guard holds.
    const scope = { butlerSchema: t.butlerSchema, provider: 'google', accountId: 'default' };
    const links = sql.identifier(t.butlerSchema);
    await t.db.execute(
      sql`insert into ${links}.contacts_source_links (provider, account_id, external_contact_id)
        values ('google', 'default', 'people/c2'), ('google', 'default', 'people/c3')`,
    );
    await t.db.transaction(async (tx) => {
      await recordListingIds(tx, scope, ['people/c2', 'people/c3']);
      expect(await sweepUnseen(tx, scope, new Date(), DEFAULT_DELETION_GUARD)).toEqual({
        tombstoned: 1,
        held: null,
      });
    });
    // The work book now gives a job title: the deleted google entry no longer holds the field.
    const summary = await work.applyBatch([
      {
        external_id: 'w/1',
        etag: 'w2',
        display_name: 'Ada Lovelace',
        emails: [{ value: 'ada@example.org' }],
        organizations: [{ name: 'Engines', title: 'Manager' }],
      },
    ]);
    expect(summary).toMatchObject({ conflicts: 0 });
    expect((await view(OTHER)).job_title).toBe('Manager');
  });
});
