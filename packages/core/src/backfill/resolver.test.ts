import { butlerTables, contactInfo, contacts, queryRows } from '@contacts/schema';
import { describeDatabase } from '@contacts/schema/testing';
import { eq, sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import type { CanonicalContactInput } from '../model/canonical-contact.js';
import { parseCanonicalContact } from '../model/parse-contact.js';
import { readContacts } from './crm-snapshot.test-support.js';
import { toDesiredContact } from './desired-contact.js';
import { testEngine } from './engine.test-support.js';
import { ContactBackfillResolver } from './resolver.js';

describeDatabase('ContactBackfillResolver', (t) => {
  const engine = () => testEngine(t);
  const resolve = async (...inputs: CanonicalContactInput[]) => {
    const resolver = new ContactBackfillResolver({
      butlerSchema: t.butlerSchema,
      provider: 'google',
      accountId: 'default',
    });
    const desired = inputs.map((i) => toDesiredContact(parseCanonicalContact(i), new Map()));
    return resolver.resolve(t.db, desired);
  };
  /** A contact a person made by hand, with optional emails and phones (normalized as the engine does). */
  const hand = async (
    values: Partial<typeof contacts.$inferInsert> & { name: string },
    info: { type: 'email' | 'phone'; value: string; normalized: string; primary?: boolean }[] = [],
  ) => {
    const [row] = await t.db.insert(contacts).values(values).returning({ id: contacts.id });
    for (const i of info) {
      await t.db.insert(contactInfo).values({
        contactId: row!.id,
        type: i.type,
        value: i.value,
        normalizedValue: i.normalized,
        isPrimary: i.primary ?? false,
      });
    }
    return row!.id;
  };
  const feed = async (type: string) =>
    queryRows<{ contact_id: string; details: string; description: string }>(
      t.db,
      sql`select contact_id, details::text as details, description from ${sql.identifier(t.butlerSchema)}.activity_feed
        where type = ${type}`,
    );

  it('follows the source link first, even when email and name point elsewhere', async () => {
    await engine().applyBatch([
      { external_id: 'people/c1', display_name: 'Ada', emails: [{ value: 'a@x.org' }] },
    ]);
    const [linked] = await readContacts(t.db, t.butlerSchema);
    const other = await hand({ name: 'Grace Hopper' }, [
      { type: 'email', value: 'g@x.org', normalized: 'g@x.org' },
    ]);
    const r = await resolve({
      external_id: 'people/c1',
      display_name: 'Grace Hopper',
      emails: [{ value: 'g@x.org' }],
    });
    expect(r.get('people/c1')).toMatchObject({ strategy: 'source_link', contactId: linked!.id });
    expect(other).not.toBe(linked!.id);
  });

  it('follows a renamed contact through previous_external_ids: the link follows, no duplicate (prior-art #17)', async () => {
    await engine().applyBatch([
      { external_id: 'people/old', etag: 'e1', display_name: 'Ada', emails: [{ value: 'a@x.org' }] },
    ]);
    const [before] = await readContacts(t.db, t.butlerSchema);
    const renamed: CanonicalContactInput = {
      external_id: 'people/new',
      etag: 'e1',
      previous_external_ids: ['people/old'],
      display_name: 'Ada L.',
      emails: [{ value: 'other@x.org' }],
    };
    expect((await resolve(renamed)).get('people/new')).toMatchObject({
      strategy: 'source_link',
      contactId: before!.id,
      link: null,
      renamedFrom: { externalId: 'people/old' },
    });
    const summary = await engine().applyBatch([renamed]);
    expect(summary).toMatchObject({ applied: 1, created: 0 });
    const after = await readContacts(t.db, t.butlerSchema);
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ id: before!.id, name: 'Ada L.', links: ['google:default:people/new'] });
    const sources = (after[0]!.metadata as { sources: Record<string, Record<string, unknown>> }).sources;
    expect(Object.keys(sources['google:default']!)).toEqual(['people/new']);
    // a.x.org was the source's and is gone; other@x.org came in.
    expect(after[0]!.info.map((i) => i.split('|')[1])).toEqual(['other@x.org']);
    // The renamed contact, seen again, is unchanged and costs nothing.
    expect(await engine().applyBatch([renamed])).toMatchObject({ skipped: 1, applied: 0 });
    // A tombstone under the new id deletes the followed link.
    await engine().applyBatch([{ external_id: 'people/new', deleted: true }]);
    expect((await readContacts(t.db, t.butlerSchema))[0]!.links).toEqual([
      'google:default:people/new (deleted)',
    ]);
  });

  it('matches by email, preferring any email match to a phone match', async () => {
    const byPhone = await hand({ name: 'Phone Person' }, [
      { type: 'phone', value: '303 828 8765', normalized: '+13038288765' },
    ]);
    const byEmail = await hand({ name: 'Email Person' }, [
      { type: 'email', value: 'Ada@X.org', normalized: 'ada@x.org' },
    ]);
    const r = await resolve({
      external_id: 'people/c1',
      display_name: 'Someone',
      emails: [{ value: 'ADA@x.org' }],
      phones: [{ value: '+1 303 828 8765' }],
    });
    expect(r.get('people/c1')).toMatchObject({ strategy: 'email', contactId: byEmail });
    expect(byPhone).not.toBe(byEmail);
  });

  it('prefers a primary email match over a secondary one', async () => {
    await hand({ name: 'Secondary' }, [{ type: 'email', value: 'a@x.org', normalized: 'a@x.org' }]);
    const primary = await hand({ name: 'Primary' }, [
      { type: 'email', value: 'a@x.org', normalized: 'a@x.org', primary: true },
    ]);
    const r = await resolve({ external_id: 'people/c1', emails: [{ value: 'a@x.org', primary: true }] });
    expect(r.get('people/c1')).toMatchObject({ strategy: 'email', contactId: primary });
  });

  it('matches a phone typed differently by its E.164 form (prior-art #10)', async () => {
    // Stored by the engine as '(303) 828-8765' with Google's canonical form.
    await engine().applyBatch([
      {
        external_id: 'people/c1',
        display_name: 'Ada',
        phones: [{ value: '(303) 828-8765', e164: '+13038288765' }],
      },
    ]);
    const [ada] = await readContacts(t.db, t.butlerSchema);
    const other = testEngine(t, { accountId: 'work' });
    const summary = await other.applyBatch([
      { external_id: 'people/w9', display_name: 'A. Lovelace', phones: [{ value: '+1 303-828-8765' }] },
    ]);
    expect(summary).toMatchObject({ created: 0, applied: 1 });
    const all = await readContacts(t.db, t.butlerSchema);
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({
      id: ada!.id,
      links: ['google:default:people/c1', 'google:work:people/w9'],
    });
    // Also with a national number and the country of the contact's address.
    const r = await resolve({
      external_id: 'people/c2',
      phones: [{ value: '(303) 828-8765' }],
      addresses: [{ street: '1 Main St', country_code: 'US' }],
    });
    expect(r.get('people/c2')).toMatchObject({ strategy: 'phone', contactId: ada!.id });
    const linked = await feed('contact_synced');
    expect(linked.map((f) => JSON.parse(f.details).strategy).sort()).toEqual(['new', 'phone']);
  });

  it('prefers a phone match to a name match', async () => {
    await hand({ name: 'Ada Lovelace' });
    const byPhone = await hand({ name: 'Someone Else' }, [
      { type: 'phone', value: '+13038288765', normalized: '+13038288765' },
    ]);
    const r = await resolve({
      external_id: 'people/c1',
      display_name: 'Ada Lovelace',
      phones: [{ value: '+1 303 828 8765' }],
    });
    expect(r.get('people/c1')).toMatchObject({ strategy: 'phone', contactId: byPhone });
  });

  it('matches a name case-insensitively on name, first + last, or nickname', async () => {
    const byName = await hand({ name: 'Ada Lovelace' });
    const byFirstLast = await hand({ name: 'Dr. G. Hopper', firstName: 'Grace', lastName: 'Hopper' });
    const byNick = await hand({ name: 'Alan Mathison Turing', nickname: 'Prof' });
    const r = await resolve(
      { external_id: 'people/1', display_name: 'ADA LOVELACE' },
      { external_id: 'people/2', first_name: 'grace', last_name: 'hopper' },
      { external_id: 'people/3', nickname: 'prof' },
      { external_id: 'people/4', display_name: 'Ada' }, // too short to match anything
    );
    expect(r.get('people/1')).toMatchObject({ strategy: 'name', contactId: byName });
    expect(r.get('people/2')).toMatchObject({ strategy: 'name', contactId: byFirstLast });
    expect(r.get('people/3')).toMatchObject({ strategy: 'name', contactId: byNick });
    expect(r.get('people/4')).toMatchObject({ strategy: 'new', contactId: null });
  });

  it('matches names with %, _, \\ and quotes literally, and only literally', async () => {
    const ids = {
      aba: await hand({ name: 'Aba' }),
      xyz: await hand({ name: 'xyz' }),
      anna: await hand({ name: 'Anna Smith' }),
      john: await hand({ name: 'John Smith' }),
      backslash: await hand({ name: 'C:\\Users\\ada' }),
      quote: await hand({ name: "O'Brien" }),
      literalUnderscore: await hand({ name: 'B_b' }),
      literalPercent: await hand({ name: '100% Ada' }),
    };
    const r = await resolve(
      { external_id: 'p/1', display_name: 'A_a' },
      { external_id: 'p/2', display_name: 'x%' },
      { external_id: 'p/3', display_name: 'x%z' },
      { external_id: 'p/4', display_name: 'Ann%' },
      { external_id: 'p/5', display_name: 'Jo_n Smith' },
      { external_id: 'p/6', display_name: 'C:\\\\Users\\\\ada' },
      { external_id: 'p/7', display_name: 'C:Usersada' },
      { external_id: 'p/8', display_name: '%' },
      { external_id: 'p/9', display_name: '___' },
      { external_id: 'p/10', display_name: "o'brien" },
      { external_id: 'p/11', display_name: 'c:\\users\\ada' },
      { external_id: 'p/12', display_name: 'b_B' },
      { external_id: 'p/13', display_name: '100% ADA' },
      { external_id: 'p/14', display_name: "O''Brien" },
    );
    const strategy = (id: string) => [r.get(id)?.strategy, r.get(id)?.contactId];
    for (const id of ['p/1', 'p/2', 'p/3', 'p/4', 'p/5', 'p/6', 'p/7', 'p/8', 'p/9', 'p/14']) {
      expect(strategy(id), id).toEqual(['new', null]);
    }
    expect(strategy('p/10')).toEqual(['name', ids.quote]);
    expect(strategy('p/11')).toEqual(['name', ids.backslash]);
    expect(strategy('p/12')).toEqual(['name', ids.literalUnderscore]);
    expect(strategy('p/13')).toEqual(['name', ids.literalPercent]);
  });

  it('creates a new contact for an ambiguous name and lists the candidates (prior-art #16)', async () => {
    const one = await hand({ name: 'John Smith' });
    const two = await hand({ name: 'JOHN SMITH', firstName: 'John', lastName: 'Smith' });
    const summary = await engine().applyBatch([{ external_id: 'people/c1', display_name: 'John Smith' }]);
    expect(summary).toMatchObject({ created: 1, applied: 1 });
    const all = await readContacts(t.db, t.butlerSchema);
    expect(all).toHaveLength(3);
    const created = all.find((c) => c.links.length > 0)!;
    expect([one, two]).not.toContain(created.id);
    const [entry] = await feed('contact_sync_ambiguous');
    expect(entry).toBeDefined();
    expect(entry!.contact_id).toBe(created.id);
    expect(JSON.parse(entry!.details).candidates.sort()).toEqual([one, two].sort());
    expect(entry!.description).toContain('2 existing contacts');
  });

  it('excludes archived contacts from every match', async () => {
    await hand({ name: 'Ada Lovelace', archivedAt: new Date() }, [
      { type: 'email', value: 'a@x.org', normalized: 'a@x.org' },
      { type: 'phone', value: '+13038288765', normalized: '+13038288765' },
    ]);
    const r = await resolve({
      external_id: 'people/c1',
      display_name: 'Ada Lovelace',
      emails: [{ value: 'a@x.org' }],
      phones: [{ value: '+13038288765' }],
    });
    expect(r.get('people/c1')).toMatchObject({ strategy: 'new', contactId: null });
    // An archived namesake does not make a live one ambiguous either.
    const live = await hand({ name: 'Ada Lovelace' });
    expect(
      (await resolve({ external_id: 'people/c1', display_name: 'Ada Lovelace' })).get('people/c1'),
    ).toMatchObject({ strategy: 'name', contactId: live });
  });

  it('does not match by name a contact already linked to another contact of the account', async () => {
    await engine().applyBatch([{ external_id: 'people/c1', display_name: 'Ada Lovelace' }]);
    const r = await resolve({ external_id: 'people/c2', display_name: 'Ada Lovelace' });
    expect(r.get('people/c2')).toMatchObject({ strategy: 'new' });
  });

  it('makes two contacts of one page that share an email or a phone one person', async () => {
    const summary = await engine().applyBatch([
      { external_id: 'people/a', display_name: 'Ada', emails: [{ value: 'ada@x.org' }] },
      {
        external_id: 'people/b',
        display_name: 'Ada L',
        emails: [{ value: 'ADA@x.org' }],
        phones: [{ value: '+13038288765' }],
      },
      { external_id: 'people/c', display_name: 'Ada Lovelace', phones: [{ value: '+1 (303) 828-8765' }] },
      { external_id: 'people/d', display_name: 'Grace', emails: [{ value: 'grace@x.org' }] },
    ]);
    expect(summary).toMatchObject({ applied: 4, created: 2 });
    const all = await readContacts(t.db, t.butlerSchema);
    expect(all.map((c) => c.links).sort()).toEqual([
      ['google:default:people/a', 'google:default:people/b', 'google:default:people/c'],
      ['google:default:people/d'],
    ]);
    const ada = all.find((c) => c.links.length === 3)!;
    expect(ada.name).toBe('Ada');
    expect(ada.info.map((i) => i.split('|')[1])).toEqual(['ada@x.org', '+13038288765']);
  });

  it('joins a new contact to a contact of the same page that is linked and brings the same new email', async () => {
    await engine().applyBatch([
      { external_id: 'people/a', display_name: 'Ada', emails: [{ value: 'ada@x.org' }] },
    ]);
    // One page: Ada's linked contact adds a work address; a second entry of hers has only that one.
    const summary = await engine().applyBatch([
      {
        external_id: 'people/a',
        etag: 'e2',
        display_name: 'Ada',
        emails: [{ value: 'ada@x.org' }, { value: 'ada@work.org' }],
      },
      { external_id: 'people/b', display_name: 'Ada at work', emails: [{ value: 'ADA@work.org' }] },
    ]);
    expect(summary).toMatchObject({ created: 0, applied: 2 });
    const all = await readContacts(t.db, t.butlerSchema);
    expect(all.map((c) => c.links)).toEqual([['google:default:people/a', 'google:default:people/b']]);
  });

  it('sends a page merged by email to an existing contact when any member matches it', async () => {
    const existing = await hand({ name: 'Ada' }, [
      { type: 'phone', value: '+13038288765', normalized: '+13038288765' },
    ]);
    await engine().applyBatch([
      { external_id: 'people/a', display_name: 'Ada', emails: [{ value: 'ada@x.org' }] },
      {
        external_id: 'people/b',
        display_name: 'Ada',
        emails: [{ value: 'ada@x.org' }],
        phones: [{ value: '+13038288765' }],
      },
    ]);
    const all = await readContacts(t.db, t.butlerSchema);
    expect(all).toHaveLength(1);
    expect(all[0]!.id).toBe(existing);
    const [row] = await t.db.select().from(contacts).where(eq(contacts.id, existing));
    expect(row?.name).toBe('Ada');
    expect(await t.db.select().from(butlerTables(t.butlerSchema).contactsSourceLinks)).toHaveLength(2);
  });
});
