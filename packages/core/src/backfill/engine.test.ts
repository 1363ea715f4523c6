import { butlerTables, contactInfo, contacts, queryRows } from '@contacts/schema';
import { describeDatabase } from '@contacts/schema/testing';
import { eq, sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import type { CanonicalContactInput } from '../model/canonical-contact.js';
import { ContactBackfillEngine } from './engine.js';

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

describeDatabase('ContactBackfillEngine', (t) => {
  const engine = () =>
    new ContactBackfillEngine({
      db: t.db,
      butlerSchema: t.butlerSchema,
      provider: 'google',
      accountId: 'default',
      groups: [{ external_id: 'contactGroups/abc', name: 'Climbing club', system: false, deleted: false }],
    });

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
    const tb = butlerTables(t.butlerSchema);
    expect(await t.db.select().from(tb.addresses)).toMatchObject([{ country: 'US', line1: '1 Main St' }]);
    const dates = await t.db.select().from(tb.importantDates);
    expect(dates.map((d) => d.label).sort()).toEqual(['birthday', 'wedding']);
    expect(await t.db.select({ name: tb.labels.name }).from(tb.labels)).toEqual([{ name: 'Climbing club' }]);
    const feed = await t.db.select().from(tb.activityFeed);
    expect(feed.map((f) => f.type)).toEqual(['contact_synced']);

    t.statements.reset();
    const again = await engine().applyBatch([ada]);
    expect(again).toMatchObject({ fetched: 1, applied: 0, skipped: 1 });
    const writes = t.statements.recent.filter((q) => /^\s*(insert|update|delete)/i.test(q));
    expect(writes).toEqual([]);
  });

  it('keeps a hand edit and records the conflict', async () => {
    await engine().applyBatch([ada]);
    await t.db.update(contacts).set({ jobTitle: 'Countess' });
    const summary = await engine().applyBatch([
      {
        ...ada,
        etag: 'e2',
        organizations: [{ name: 'Analytical Engines', title: 'Mathematician', primary: true }],
      },
    ]);
    expect(summary.conflicts).toBe(1);
    const [row] = await t.db.select().from(contacts);
    expect(row?.jobTitle).toBe('Countess');
    const feed = await queryRows<{ type: string }>(
      t.db,
      sql`select type from ${sql.identifier(t.butlerSchema)}.activity_feed order by created_at, type`,
    );
    expect(feed.map((f) => f.type)).toContain('contact_sync_conflict');
  });
});
