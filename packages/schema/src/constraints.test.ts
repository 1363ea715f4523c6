import { eq, sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { queryRows } from './database.js';
import { butlerTables } from './tables/butler.js';
import { contactInfo, contacts } from './tables/shared.js';
import { describeDatabase } from './testing/index.js';

describeDatabase('data model constraints', (t) => {
  const tables = () => butlerTables(t.butlerSchema);
  const newContact = async (name = 'Ada Lovelace') => {
    const [row] = await t.db.insert(contacts).values({ name }).returning({ id: contacts.id });
    if (!row) throw new Error('no contact');
    return row.id;
  };

  it('stores a contact_info value once per contact, type and normalized value', async () => {
    const id = await newContact();
    const row = { contactId: id, type: 'email', value: 'Ada@X.org', normalizedValue: 'ada@x.org' };
    await t.db.insert(contactInfo).values(row);
    await expect(t.db.insert(contactInfo).values({ ...row, value: 'ADA@x.org' })).rejects.toThrow();
    // The upsert the engine uses absorbs it instead.
    await t.db
      .insert(contactInfo)
      .values({ ...row, value: 'ADA@x.org' })
      .onConflictDoNothing();
    expect(await t.db.select().from(contactInfo)).toHaveLength(1);
  });

  it('lets two contacts share an email (uniqueness is per contact)', async () => {
    const a = await newContact('A');
    const b = await newContact('B');
    for (const contactId of [a, b]) {
      await t.db
        .insert(contactInfo)
        .values({ contactId, type: 'email', value: 'x@y.z', normalizedValue: 'x@y.z' });
    }
    expect(await t.db.select().from(contactInfo)).toHaveLength(2);
  });

  it('cascades a contact deletion to its child rows, and nulls its source links', async () => {
    const { addresses, importantDates, labels, contactLabels, activityFeed, contactsSourceLinks } = tables();
    const id = await newContact();
    await t.db
      .insert(contactInfo)
      .values({ contactId: id, type: 'phone', value: '1', normalizedValue: '+1' });
    await t.db.insert(addresses).values({ contactId: id, line1: '1 Main St', country: 'US' });
    await t.db.insert(importantDates).values({ contactId: id, label: 'birthday', month: 4, day: 12 });
    const [label] = await t.db.insert(labels).values({ name: 'Friends' }).returning();
    await t.db.insert(contactLabels).values({ contactId: id, labelId: label!.id });
    await t.db.insert(activityFeed).values({ contactId: id, type: 'contact_synced', description: 'Synced.' });
    await t.db.insert(contactsSourceLinks).values({
      provider: 'google',
      accountId: 'default',
      externalContactId: 'people/c1',
      localContactId: id,
    });

    await t.db.delete(contacts).where(eq(contacts.id, id));

    for (const table of [contactInfo, addresses, importantDates, contactLabels, activityFeed]) {
      expect(await t.db.select().from(table)).toHaveLength(0);
    }
    expect(await t.db.select().from(labels)).toHaveLength(1);
    const [link] = await t.db.select().from(contactsSourceLinks);
    expect(link?.localContactId).toBeNull();
  });

  it('keys source links by provider, account and external id', async () => {
    const { contactsSourceLinks } = tables();
    const link = { provider: 'google', accountId: 'default', externalContactId: 'people/c1' };
    await t.db.insert(contactsSourceLinks).values(link);
    await expect(t.db.insert(contactsSourceLinks).values(link)).rejects.toThrow();
    await t.db.insert(contactsSourceLinks).values({ ...link, accountId: 'work' });
    await t.db.insert(contactsSourceLinks).values({ ...link, provider: 'carddav' });
    expect(await t.db.select().from(contactsSourceLinks)).toHaveLength(3);
  });

  it('keeps one important date per contact, label and day, and checks its range', async () => {
    const { importantDates } = tables();
    const id = await newContact();
    await t.db.insert(importantDates).values({ contactId: id, label: 'birthday', month: 4, day: 12 });
    await expect(
      t.db.insert(importantDates).values({ contactId: id, label: 'birthday', month: 4, day: 12, year: 1990 }),
    ).rejects.toThrow();
    await expect(
      t.db.insert(importantDates).values({ contactId: id, label: 'x', month: 13, day: 1 }),
    ).rejects.toThrow();
  });

  it('takes only ISO alpha-2 countries and unique label names', async () => {
    const { addresses, labels } = tables();
    const id = await newContact();
    await expect(
      t.db.insert(addresses).values({ contactId: id, line1: 'x', country: 'Un' }),
    ).rejects.toThrow();
    await t.db.insert(labels).values({ name: 'Family' });
    await expect(t.db.insert(labels).values({ name: 'Family' })).rejects.toThrow();
  });

  it('defaults metadata to an empty object and butler_secrets to sensitive', async () => {
    const { butlerSecrets } = tables();
    await newContact();
    const [row] = await queryRows<{ t: string }>(
      t.db,
      sql`select jsonb_typeof(metadata) as t from shared.contacts`,
    );
    expect(row?.t).toBe('object');
    await t.db.insert(butlerSecrets).values({ secretKey: 'K', secretValue: 'v' });
    const [secret] = await t.db.select().from(butlerSecrets);
    expect(secret).toMatchObject({ category: 'general', isSensitive: true });
  });

  it('starts every test from empty tables', async () => {
    expect(await t.db.select().from(contacts)).toHaveLength(0);
  });
});
