/**
 * Regressions found by review of the engine, one test each; each failed before its fix.
 */
import { contacts, queryRows } from '@contacts/schema';
import { describeDatabase } from '@contacts/schema/testing';
import { eq, sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import type { CanonicalContactInput } from '../model/canonical-contact.js';
import { readContacts } from './crm-snapshot.test-support.js';
import { testEngine } from './engine.test-support.js';

const person = (
  id: string,
  email: string,
  extra: Partial<CanonicalContactInput> = {},
): CanonicalContactInput => ({
  external_id: id,
  etag: `${id}-1`,
  display_name: `Person ${id}`,
  emails: [{ value: email, primary: true }],
  ...extra,
});

describeDatabase('engine regressions', (t) => {
  const engine = () => testEngine(t);
  const failures = () =>
    queryRows<{ id: string }>(
      t.db,
      sql`select external_contact_id as id from ${sql.identifier(t.butlerSchema)}.contacts_sync_failures order by 1`,
    );

  it('merges page members sharing an email even when the first one is a renamed contact a person deleted', async () => {
    await engine().applyBatch([person('people/old', 'old@x.org')]);
    await t.db.delete(contacts);
    const summary = await engine().applyBatch([
      person('people/new', 'shared@x.org', { previous_external_ids: ['people/old'] }),
      person('people/m1', 'shared@x.org'),
      person('people/m2', 'shared@x.org'),
    ]);
    expect(await t.db.select().from(contacts)).toHaveLength(1);
    expect(summary).toMatchObject({ created: 1, applied: 2, skipped: 1 });
  });

  it('forgets the failure of a contact that is then deleted at the source, so no retry brings it back', async () => {
    await engine().applyBatch([{ external_id: 'people/09', birthdays: [{ month: 13, day: 1 }] }]);
    expect(await failures()).toEqual([{ id: 'people/09' }]);
    await engine().applyBatch([{ external_id: 'people/09', deleted: true }]);
    expect(await failures()).toEqual([]);
  });

  it('does not report a deletion for the old id of a contact renamed in the same page', async () => {
    await engine().applyBatch([person('people/old', 'a@x.org')]);
    const summary = await engine().applyBatch([
      person('people/new', 'a@x.org', { etag: 'e2', previous_external_ids: ['people/old'] }),
      { external_id: 'people/old', deleted: true },
    ]);
    expect(summary.deleted).toBe(0);
    const [view] = await readContacts(t.db, t.butlerSchema);
    expect(view?.links).toEqual(['google:default:people/new']);
    expect(view?.activity.join(' ')).not.toContain('contact_sync_deleted_source');
  });

  it('applies a group whose name holds a NUL character instead of failing its members', async () => {
    const withGroup = testEngine(t, {
      groups: [{ external_id: 'g/1', name: 'Bad\u0000Group', system: false, deleted: false }],
    });
    const summary = await withGroup.applyBatch(
      Array.from({ length: 8 }, (_, i) =>
        person(`people/${i}`, `p${i}@x.org`, { group_memberships: ['g/1'] }),
      ),
    );
    expect(summary).toMatchObject({ created: 8, failed: 0 });
  });

  it('never removes a hand-added value because the source once sent it with a NUL inside', async () => {
    const [row] = await t.db.insert(contacts).values({ name: 'Nul Person' }).returning({ id: contacts.id });
    await t.db.execute(sql`insert into shared.contact_info (contact_id, type, value, normalized_value)
      values (${row!.id}, 'email', 'ab@x.org', 'ab@x.org')`);
    await engine().applyBatch([
      {
        external_id: 'people/n',
        etag: '1',
        display_name: 'Nul Person',
        emails: [{ value: 'a\u0000b@x.org' }],
      },
    ]);
    await engine().applyBatch([
      { external_id: 'people/n', etag: '2', display_name: 'Nul Person', emails: [] },
    ]);
    const [view] = await readContacts(t.db, t.butlerSchema);
    expect(view?.info.map((i) => i.split('|')[1])).toEqual(['ab@x.org']);
  });

  it('lets the last occurrence of an id in a page win over an earlier malformed one', async () => {
    const summary = await engine().applyBatch([
      { external_id: 'people/d', emails: 'oops' },
      person('people/d', 'd@x.org'),
    ]);
    expect(summary).toMatchObject({ applied: 1, failed: 0 });
    expect(await failures()).toEqual([]);
  });

  it('does not rewrite the contact row when only the etag changed', async () => {
    await engine().applyBatch([person('people/e', 'e@x.org')]);
    const [before] = await t.db.select().from(contacts);
    t.statements.reset();
    const summary = await engine().applyBatch([person('people/e', 'e@x.org', { etag: 'people/e-2' })]);
    expect(summary).toMatchObject({ applied: 1, updated: 0 });
    expect(t.statements.recent.some((q) => /^\s*update shared\.contacts/i.test(q))).toBe(false);
    const [after] = await t.db.select().from(contacts).where(eq(contacts.id, before!.id));
    expect(after?.updatedAt.getTime()).toBe(before?.updatedAt.getTime());
  });

  it("follows the source's new details of a row it owns: a birthday's year, which email is primary", async () => {
    await engine().applyBatch([
      person('people/y', 'A@x.org', {
        emails: [{ value: 'A@x.org', primary: true }, { value: 'b@x.org' }],
        birthdays: [{ month: 12, day: 10 }],
      }),
    ]);
    const summary = await engine().applyBatch([
      person('people/y', 'a@x.org', {
        etag: 'e2',
        emails: [{ value: 'a@x.org' }, { value: 'b@x.org', primary: true }],
        birthdays: [{ month: 12, day: 10, year: 1815 }],
      }),
    ]);
    expect(summary.updated).toBe(1);
    const [view] = await readContacts(t.db, t.butlerSchema);
    expect(view?.dates).toEqual(['birthday|12|10|1815']);
    expect(view?.info.filter((i) => i.endsWith('|true')).map((i) => i.split('|')[1])).toEqual(['b@x.org']);
    expect(view?.info.map((i) => i.split('|')[2]).sort()).toEqual(['a@x.org', 'b@x.org']);
  });

  it('never changes the details of a row a person had before the source matched the contact', async () => {
    const [row] = await t.db
      .insert(contacts)
      .values({ name: 'Person people/z' })
      .returning({ id: contacts.id });
    await t.db.execute(sql`insert into shared.contact_info (contact_id, type, value, normalized_value, label, is_primary)
      values (${row!.id}, 'email', 'Z@x.org', 'z@x.org', 'mine', true)`);
    await engine().applyBatch([
      person('people/z', 'z@x.org', { emails: [{ value: 'z@x.org', type: 'work' }] }),
    ]);
    await engine().applyBatch([
      person('people/z', 'z@x.org', { etag: 'e2', emails: [{ value: 'z@x.org', type: 'home' }] }),
    ]);
    const [view] = await readContacts(t.db, t.butlerSchema);
    expect(view?.info).toEqual(['email|z@x.org|Z@x.org|mine|true']);
  });
});
