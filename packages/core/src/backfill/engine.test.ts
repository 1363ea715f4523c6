import { butlerTables, contactInfo, contacts, queryRows } from '@contacts/schema';
import { describeDatabase } from '@contacts/schema/testing';
import { eq, sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import type { CanonicalContactInput, CanonicalGroup } from '../model/canonical-contact.js';
import { readContacts } from './crm-snapshot.test-support.js';
import { testEngine } from './engine.test-support.js';
import type { SourcesMetadata } from './provenance-codec.js';

const ada: CanonicalContactInput = {
  external_id: 'people/c1',
  etag: 'e1',
  display_name: 'Ada Lovelace',
  first_name: 'Ada',
  last_name: 'Lovelace',
  emails: [{ value: 'Ada@Example.org', type: 'home', primary: true }],
  phones: [{ value: '(303) 828-8765', e164: '+13038288765', primary: true }],
  addresses: [
    { street: '1 Main St', city: 'Springfield', country: 'United States', country_code: 'US', primary: true },
  ],
  organizations: [{ name: 'Analytical Engines', title: 'Programmer', primary: true }],
  birthdays: [{ month: 12, day: 10, year: 1815 }],
  anniversaries: [{ month: 7, day: 8, type: 'wedding' }],
  group_memberships: ['contactGroups/abc'],
};

const groups: CanonicalGroup[] = [
  { external_id: 'contactGroups/abc', name: 'Climbing club', system: false, deleted: false },
  { external_id: 'contactGroups/myContacts', name: 'myContacts', system: true, deleted: false },
  { external_id: 'contactGroups/7F3A2B9C0D1E', name: 'Book club', system: false, deleted: false },
];

describeDatabase('ContactBackfillEngine', (t) => {
  const tb = () => butlerTables(t.butlerSchema);
  const engine = (accountId = 'default') => testEngine(t, { accountId, groups });
  const only = async () => {
    const all = await readContacts(t.db, t.butlerSchema);
    expect(all).toHaveLength(1);
    return all[0]!;
  };
  const feed = async () =>
    queryRows<{ type: string; description: string; details: string; contact_id: string }>(
      t.db,
      sql`select type, description, details::text as details, contact_id
        from ${sql.identifier(t.butlerSchema)}.activity_feed order by created_at, type`,
    );

  it('creates a contact with its rows, and costs no write when unchanged', async () => {
    const first = await engine().applyBatch([ada]);
    expect(first).toMatchObject({ fetched: 1, applied: 1, created: 1, failed: 0 });
    const [row] = await t.db.select().from(contacts);
    expect(row).toMatchObject({
      name: 'Ada Lovelace',
      company: 'Analytical Engines',
      jobTitle: 'Programmer',
    });
    const info = await t.db.select().from(contactInfo).where(eq(contactInfo.contactId, row!.id));
    expect(info.map((i) => i.normalizedValue).sort()).toEqual(['+13038288765', 'ada@example.org']);
    expect(await t.db.select().from(tb().addresses)).toMatchObject([{ country: 'US', line1: '1 Main St' }]);
    const dates = await t.db.select().from(tb().importantDates);
    expect(dates.map((d) => d.label).sort()).toEqual(['birthday', 'wedding']);
    expect(await t.db.select({ name: tb().labels.name }).from(tb().labels)).toEqual([
      { name: 'Climbing club' },
    ]);
    expect((await feed()).map((f) => f.type)).toEqual(['contact_synced']);

    t.statements.reset();
    const again = await engine().applyBatch([ada]);
    expect(again).toMatchObject({ fetched: 1, applied: 0, skipped: 1 });
    const writes = t.statements.recent.filter((q) => /^\s*(insert|update|delete)/i.test(q));
    expect(writes).toEqual([]);
  });

  it('writes every row kind of a new contact, with a provenance link and a contact_synced entry', async () => {
    const summary = await engine().applyBatch([
      {
        ...ada,
        middle_name: 'King',
        nickname: 'Enchantress',
        emails: [
          { value: 'Ada@Example.org', type: 'home', primary: true },
          { value: 'ada@work.example', type: 'work' },
        ],
        urls: [{ value: 'https://Example.org/Ada', type: 'homePage' }],
        usernames: [{ service: 'Matrix', value: '@Ada:example.org' }],
        photos: [
          { url: 'https://example.org/default.png', primary: true, is_default: true },
          { url: 'https://example.org/ada.jpg' },
        ],
      },
    ]);
    expect(summary).toEqual({
      fetched: 1,
      applied: 1,
      skipped: 0,
      unchanged: 0,
      deleted: 0,
      created: 1,
      updated: 0,
      conflicts: 0,
      failed: 0,
    });
    const c = await only();
    expect(c).toMatchObject({
      name: 'Ada Lovelace',
      first_name: 'Ada',
      middle_name: 'King',
      last_name: 'Lovelace',
      nickname: 'Enchantress',
      company: 'Analytical Engines',
      job_title: 'Programmer',
      avatar_url: 'https://example.org/ada.jpg', // the placeholder photo is never an avatar
      info: [
        'email|ada@example.org|Ada@Example.org|home|true',
        'email|ada@work.example|ada@work.example|work|false',
        'phone|+13038288765|(303) 828-8765||true',
        'username|matrix:@ada:example.org|@Ada:example.org|matrix|false',
        'website|https://example.org/ada|https://Example.org/Ada|homePage|false',
      ],
      addresses: ['Home|1 Main St||Springfield|||US'],
      dates: ['birthday|12|10|1815', 'wedding|7|8|'],
      labels: ['Climbing club'],
      links: ['google:default:people/c1'],
      activity: ['contact_synced'],
    });
    const [link] = await t.db.select().from(tb().contactsSourceLinks);
    expect(link).toMatchObject({ sourceEtag: 'e1', deletedAt: null, localContactId: c.id });
    const sources = (c.metadata as { sources: SourcesMetadata }).sources;
    expect(sources['google:default']?.['people/c1']?.fields.job_title).toBe('Programmer');
    const [entry] = await feed();
    expect(entry!.description).toBe('Added Ada Lovelace from google (default).');
  });

  it('maps "United States" with countryCode US to US, and without a code to null, never "Un" (prior-art #11)', async () => {
    await engine().applyBatch([
      {
        external_id: 'people/c1',
        display_name: 'With code',
        addresses: [{ street: '1 Main St', country: 'United States', country_code: 'us' }],
      },
      {
        external_id: 'people/c2',
        display_name: 'Without code',
        addresses: [{ street: '2 Main St', country: 'United States' }],
      },
    ]);
    const rows = await t.db.select().from(tb().addresses);
    expect(Object.fromEntries(rows.map((r) => [r.line1, r.country]))).toEqual({
      '1 Main St': 'US',
      '2 Main St': null,
    });
  });

  it('labels each event with its own type (prior-art #12)', async () => {
    await engine().applyBatch([
      {
        external_id: 'people/c1',
        display_name: 'Events',
        birthdays: [{ month: 2, day: 29 }],
        anniversaries: [
          { month: 7, day: 8, type: 'anniversary' },
          { month: 1, day: 2, type: 'Graduation' },
          { month: 3, day: 4 },
          { text: 'sometime in spring' },
        ],
      },
    ]);
    const dates = await t.db.select().from(tb().importantDates);
    expect(dates.map((d) => `${d.label} ${d.month}/${d.day}`).sort()).toEqual([
      'anniversary 3/4',
      'anniversary 7/8',
      'birthday 2/29',
      'graduation 1/2',
    ]);
  });

  it('names labels after groups, never after an opaque id; system and unknown groups make none (prior-art #12)', async () => {
    await engine().applyBatch([
      {
        external_id: 'people/c1',
        display_name: 'Grouped',
        group_memberships: [
          'contactGroups/abc',
          'contactGroups/7F3A2B9C0D1E',
          'contactGroups/myContacts',
          'contactGroups/unknown',
        ],
      },
    ]);
    expect((await only()).labels).toEqual(['Book club', 'Climbing club']);
    const names = (await t.db.select().from(tb().labels)).map((l) => l.name).sort();
    expect(names).toEqual(['Book club', 'Climbing club']);
  });

  it('writes contact_info rows per contact, not re-inserting a value stored as another case', async () => {
    await engine().applyBatch([
      {
        external_id: 'people/c1',
        display_name: 'Dup',
        emails: [{ value: 'Dup@Example.org', primary: true }, { value: 'dup@example.ORG' }],
        urls: [{ value: 'https://x.org' }, { value: 'HTTPS://X.ORG' }],
      },
      // Another person with the same address keeps their own row (the old global UNIQUE lost it).
      { external_id: 'people/c2', display_name: 'Other', emails: [{ value: 'shared@example.org' }] },
      { external_id: 'people/c3', display_name: 'Third', phones: [{ value: '+1 303 555 0100' }] },
    ]);
    const rows = await t.db
      .select({ id: contactInfo.contactId, type: contactInfo.type, value: contactInfo.value })
      .from(contactInfo);
    expect(
      rows.filter((r) => r.type === 'email' && r.value.toLowerCase() === 'dup@example.org'),
    ).toHaveLength(1);
    expect(rows.filter((r) => r.type === 'website')).toHaveLength(1);

    // A person typed the address by hand in another case; the source's copy is not added again.
    const [dup] = await t.db.select().from(contacts).where(eq(contacts.name, 'Dup'));
    await t.db.insert(contactInfo).values({
      contactId: dup!.id,
      type: 'email',
      value: 'HAND@example.org',
      normalizedValue: 'hand@example.org',
      label: 'typed',
      isPrimary: false,
    });
    await engine().applyBatch([
      {
        external_id: 'people/c1',
        etag: 'e2',
        display_name: 'Dup',
        emails: [{ value: 'Dup@Example.org', primary: true }, { value: 'hand@EXAMPLE.org' }],
        urls: [{ value: 'https://x.org' }],
      },
    ]);
    const hand = await t.db
      .select()
      .from(contactInfo)
      .where(sql`${contactInfo.contactId} = ${dup!.id} and lower(${contactInfo.value}) = 'hand@example.org'`);
    expect(hand).toMatchObject([{ value: 'HAND@example.org', label: 'typed', isPrimary: false }]);
    const info = await t.db.select().from(contactInfo).where(eq(contactInfo.contactId, dup!.id));
    expect(info.map((i) => [i.type, i.normalizedValue, i.label, i.isPrimary]).sort()).toEqual([
      ['email', 'dup@example.org', null, true],
      ['email', 'hand@example.org', 'typed', false],
      ['website', 'https://x.org', null, false],
    ]);
  });

  it('lets a source-owned field follow the source and logs contact_sync_updated', async () => {
    await engine().applyBatch([ada]);
    const summary = await engine().applyBatch([
      {
        ...ada,
        etag: 'e2',
        organizations: [{ name: 'Analytical Engines', title: 'Mathematician', primary: true }],
      },
    ]);
    expect(summary).toMatchObject({ applied: 1, updated: 1, conflicts: 0, created: 0 });
    expect((await only()).job_title).toBe('Mathematician');
    const updated = (await feed()).filter((f) => f.type === 'contact_sync_updated');
    expect(updated).toHaveLength(1);
    expect(updated[0]!.description).toContain('job title');
    const [link] = await t.db.select().from(tb().contactsSourceLinks);
    expect(link?.sourceEtag).toBe('e2');
  });

  it('keeps a hand edit and records the conflict once, naming field, local and source values', async () => {
    await engine().applyBatch([ada]);
    await t.db.update(contacts).set({ jobTitle: 'Countess' });
    const changed = {
      ...ada,
      etag: 'e2',
      organizations: [{ name: 'Analytical Engines', title: 'Mathematician', primary: true }],
    };
    const summary = await engine().applyBatch([changed]);
    expect(summary.conflicts).toBe(1);
    expect((await only()).job_title).toBe('Countess');
    const conflicts = (await feed()).filter((f) => f.type === 'contact_sync_conflict');
    expect(conflicts).toHaveLength(1);
    expect(JSON.parse(conflicts[0]!.details).conflicts).toEqual([
      { field: 'job_title', local_value: 'Countess', source_value: 'Mathematician', kept_from: 'person' },
    ]);
    expect(conflicts[0]!.description).toContain('"Countess"');
    expect(conflicts[0]!.description).toContain('"Mathematician"');

    // The same source value again (new etag, other fields changed): no second conflict.
    const again = await engine().applyBatch([{ ...changed, etag: 'e3', nickname: 'Ada' }]);
    expect(again.conflicts).toBe(0);
    expect((await only()).job_title).toBe('Countess');
    expect((await feed()).filter((f) => f.type === 'contact_sync_conflict')).toHaveLength(1);

    // The source changes its value again: the hand edit still stands (prior-art #9), one more conflict.
    const third = await engine().applyBatch([
      {
        ...changed,
        etag: 'e4',
        organizations: [{ name: 'Analytical Engines', title: 'Analyst', primary: true }],
      },
    ]);
    expect(third.conflicts).toBe(1);
    expect((await only()).job_title).toBe('Countess');
  });

  it('refills a field a person emptied, since an empty field is the source’s', async () => {
    await engine().applyBatch([ada]);
    await t.db.update(contacts).set({ company: null });
    await engine().applyBatch([{ ...ada, etag: 'e2' }]);
    expect((await only()).company).toBe('Analytical Engines');
  });

  it('removes a child value the source removed, and never one a person added', async () => {
    await engine().applyBatch([
      {
        ...ada,
        emails: [...(ada.emails ?? []), { value: 'old@example.org' }],
        urls: [{ value: 'https://old.example.org' }],
      },
    ]);
    const c = await only();
    await t.db.insert(contactInfo).values({
      contactId: c.id,
      type: 'email',
      value: 'mine@example.org',
      normalizedValue: 'mine@example.org',
    });
    await t.db
      .insert(tb().addresses)
      .values({ contactId: c.id, label: 'Work', line1: '9 Hand Rd', country: 'GB' });
    await t.db.insert(tb().importantDates).values({ contactId: c.id, label: 'first met', month: 5, day: 5 });
    const [label] = await t.db.insert(tb().labels).values({ name: 'Mine' }).returning();
    await t.db.insert(tb().contactLabels).values({ contactId: c.id, labelId: label!.id });

    const summary = await engine().applyBatch([
      {
        ...ada,
        etag: 'e2',
        emails: ada.emails,
        phones: [],
        addresses: [],
        birthdays: [],
        anniversaries: [{ month: 7, day: 8, type: 'wedding' }],
        group_memberships: [],
        urls: [],
      },
    ]);
    expect(summary.updated).toBe(1);
    const after = await only();
    expect(after.info).toEqual([
      'email|ada@example.org|Ada@Example.org|home|true',
      'email|mine@example.org|mine@example.org||false',
    ]);
    expect(after.addresses).toEqual(['Work|9 Hand Rd|||||GB']);
    expect(after.dates).toEqual(['first met|5|5|', 'wedding|7|8|']);
    expect(after.labels).toEqual(['Mine']);
    const updated = (await feed()).find((f) => f.type === 'contact_sync_updated');
    expect(JSON.parse(updated!.details).removed).toHaveLength(6);
  });

  it('never removes a value a person had before the source matched the contact', async () => {
    // A person's own contact; the source matches it by email and brings the same phone.
    const [mine] = await t.db.insert(contacts).values({ name: 'Ada Lovelace' }).returning();
    await t.db.insert(contactInfo).values([
      { contactId: mine!.id, type: 'email', value: 'ada@example.org', normalizedValue: 'ada@example.org' },
      { contactId: mine!.id, type: 'phone', value: '303 828 8765', normalizedValue: '+13038288765' },
    ]);
    await engine().applyBatch([ada]);
    expect((await only()).id).toBe(mine!.id);
    // The source drops both: they were the person's before the source had them, so they stay.
    await engine().applyBatch([
      { ...ada, etag: 'e2', emails: [{ value: 'new@example.org', primary: true }], phones: [] },
    ]);
    expect((await only()).info.map((i) => i.split('|').slice(0, 2).join('|'))).toEqual([
      'email|ada@example.org',
      'email|new@example.org',
      'phone|+13038288765',
    ]);
  });

  it('marks the link of a tombstone deleted, keeps the contact and logs contact_sync_deleted_source', async () => {
    await engine().applyBatch([ada]);
    const summary = await engine().applyBatch([{ external_id: 'people/c1', etag: 'e9', deleted: true }]);
    expect(summary).toMatchObject({ deleted: 1, applied: 0 });
    const c = await only();
    expect(c.name).toBe('Ada Lovelace');
    expect(c.links).toEqual(['google:default:people/c1 (deleted)']);
    const [link] = await t.db.select().from(tb().contactsSourceLinks);
    expect(link?.deletedAt).toBeInstanceOf(Date);
    const deleted = (await feed()).filter((f) => f.type === 'contact_sync_deleted_source');
    expect(deleted).toHaveLength(1);
    expect(deleted[0]!.description).toBe(
      'Ada Lovelace was deleted in google (default); the contact is kept here.',
    );

    // A tombstone repeated, or for a contact never seen, changes nothing.
    const again = await engine().applyBatch([
      { external_id: 'people/c1', deleted: true },
      { external_id: 'people/never', deleted: true },
    ]);
    expect(again).toMatchObject({ deleted: 0, skipped: 2 });
    expect(await t.db.select().from(contacts)).toHaveLength(1);
    expect((await feed()).filter((f) => f.type === 'contact_sync_deleted_source')).toHaveLength(1);
  });

  it('resurrects a contact deleted at the source onto the same CRM contact', async () => {
    await engine().applyBatch([ada]);
    await engine().applyBatch([{ external_id: 'people/c1', deleted: true }]);
    const before = await only();
    const summary = await engine().applyBatch([{ ...ada, etag: 'e1' }]); // same etag as before deletion
    expect(summary).toMatchObject({ applied: 1, created: 0 });
    const after = await only();
    expect(after.id).toBe(before.id);
    expect(after.links).toEqual(['google:default:people/c1']);
  });

  it('does not bring back a CRM contact a person deleted', async () => {
    await engine().applyBatch([ada]);
    await t.db.delete(contacts);
    const summary = await engine().applyBatch([{ ...ada, etag: 'e2' }]);
    expect(summary).toMatchObject({ applied: 0, skipped: 1, created: 0 });
    expect(await t.db.select().from(contacts)).toHaveLength(0);
  });

  it('keeps provenance per account: two accounts of one person share the contact', async () => {
    await engine('home').applyBatch([ada]);
    await engine('work').applyBatch([
      { ...ada, external_id: 'people/w1', organizations: [{ name: 'Work Corp', title: 'Boss' }] },
    ]);
    const c = await only();
    expect(c.links).toEqual(['google:home:people/c1', 'google:work:people/w1']);
    const sources = (c.metadata as { sources: SourcesMetadata }).sources;
    expect(Object.keys(sources).sort()).toEqual(['google:home', 'google:work']);
    // home still owns the company it wrote; work disagreed, so the value stays, and the feed says
    // two source entries disagree rather than that a person edited it.
    expect(c.company).toBe('Analytical Engines');
    const feed = await queryRows<{ description: string; details: string }>(
      t.db,
      sql`select description, details::text as details from ${sql.identifier(t.butlerSchema)}.activity_feed
        where type = 'contact_sync_conflict'`,
    );
    expect(feed).toHaveLength(1);
    expect(feed[0]?.description).toMatch(/is linked to several google \(work\) entries that disagree/);
    expect(feed[0]?.description).not.toMatch(/your edits/);
    expect(JSON.parse(feed[0]!.details).conflicts[0]).toMatchObject({
      field: 'company',
      kept_from: 'another_source',
    });
  });

  it('treats the last occurrence of an id in a page as the one that counts', async () => {
    const summary = await engine().applyBatch([
      { ...ada, display_name: 'First' },
      { ...ada, display_name: 'Second' },
    ]);
    expect(summary).toMatchObject({ fetched: 2, applied: 1, skipped: 1, created: 1 });
    expect((await only()).name).toBe('Second');
  });
});
