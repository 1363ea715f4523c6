/**
 * Issue 11, point 11: external ids `__proto__` and `constructor` could never be applied, since
 * provenance used plain objects as maps (`bySource['constructor']` is `Object`, and assigning
 * `bySource['__proto__']` sets a prototype). The CardDAV provider will bring arbitrary UIDs, and
 * a Google payload can be hostile. Ids, account ids and butler schemas named like members of
 * Object.prototype now work everywhere, through the database and back.
 */
import { migrate, queryRows } from '@contacts/schema';
import { describeDatabase } from '@contacts/schema/testing';
import { sql } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import type { CanonicalContactInput } from '../model/canonical-contact.js';
import { readContacts } from './crm-snapshot.test-support.js';
import { testEngine } from './engine.test-support.js';

const IDS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];

const person = (id: string, n: number, version: number, extra: Partial<CanonicalContactInput> = {}) => ({
  external_id: id,
  etag: `v${version}`,
  display_name: `Person ${n}`,
  emails: [{ value: `p${n}@example.org`, primary: true }, { value: `p${n}@old.example` }],
  organizations: [{ name: 'Acme', title: 'Engineer' }],
  addresses: [{ street: `${n} Main St`, city: 'Springfield' }],
  ...extra,
});

describeDatabase('ids named like members of Object.prototype', (t) => {
  beforeAll(async () => {
    await migrate(t.db, { butlerSchema: '__proto__' });
  });

  for (const where of [
    { butlerSchema: 'relationship', accountId: '__proto__' },
    { butlerSchema: '__proto__', accountId: 'constructor' },
  ]) {
    it(`applies, follows, conflicts, removes and tombstones them (schema ${where.butlerSchema}, account ${where.accountId})`, async () => {
      const engine = testEngine(
        { db: t.db, butlerSchema: where.butlerSchema },
        { accountId: where.accountId },
      );
      const first = await engine.applyBatch(IDS.map((id, n) => person(id, n, 1)));
      expect(first).toMatchObject({ applied: IDS.length, created: IDS.length, failed: 0 });
      const view = async () =>
        new Map((await readContacts(t.db, where.butlerSchema)).map((c) => [c.name, c] as const));

      // A hand edit of one field each; then the source changes the job title and the company,
      // drops the old email and the address.
      await t.db.execute(sql`update shared.contacts set company = 'Hand Co'`);
      const second = await engine.applyBatch(
        IDS.map((id, n) =>
          person(id, n, 2, {
            emails: [{ value: `p${n}@example.org`, primary: true }],
            organizations: [{ name: 'Initech', title: 'Manager' }],
            addresses: [],
          }),
        ),
      );
      expect(second).toMatchObject({
        applied: IDS.length,
        updated: IDS.length,
        conflicts: IDS.length,
        failed: 0,
      });
      let byName = await view();
      IDS.forEach((id, n) => {
        const c = byName.get(`Person ${n}`)!;
        expect(c.links, id).toEqual([`google:${where.accountId}:${id}`]);
        expect(c.job_title, id).toBe('Manager');
        expect(c.company, id).toBe('Hand Co');
        expect(
          c.info.map((i) => i.split('|')[1]),
          id,
        ).toEqual([`p${n}@example.org`]);
        expect(c.addresses, id).toEqual([]);
        const stored = c.metadata as { sources: Record<string, Record<string, unknown>> };
        expect(Object.hasOwn(stored.sources[`google:${where.accountId}`]!, id), id).toBe(true);
      });

      // Deleted at the source, then back.
      const gone = await engine.applyBatch(IDS.map((id) => ({ external_id: id, deleted: true })));
      expect(gone).toMatchObject({ deleted: IDS.length, failed: 0 });
      const back = await engine.applyBatch(IDS.map((id, n) => person(id, n, 3)));
      expect(back).toMatchObject({ applied: IDS.length, created: 0, failed: 0 });
      byName = await view();
      expect(byName.size).toBe(IDS.length);
      IDS.forEach((id, n) => {
        expect(byName.get(`Person ${n}`)!.links, id).toEqual([`google:${where.accountId}:${id}`]);
      });
      const failures = await queryRows<{ n: number }>(
        t.db,
        sql`select count(*)::int as n from ${sql.identifier(where.butlerSchema)}.contacts_sync_failures`,
      );
      expect(Number(failures[0]!.n)).toBe(0);
    });
  }

  it('merges two such entries of one person and keeps each one’s provenance apart', async () => {
    const engine = testEngine(t, { accountId: '__proto__' });
    await engine.applyBatch([
      person('__proto__', 1, 1),
      person('constructor', 1, 1, { organizations: [], emails: [{ value: 'p1@example.org' }] }),
    ]);
    // The entry that wrote the job title drops it; the other never had one: the field empties.
    await engine.applyBatch([person('__proto__', 1, 2, { organizations: [] })]);
    const [c] = await readContacts(t.db, t.butlerSchema);
    expect(c!.links).toEqual(['google:__proto__:__proto__', 'google:__proto__:constructor']);
    expect(c!.job_title).toBeNull();
    const stored = c!.metadata as { sources: Record<string, Record<string, unknown>> };
    expect(Object.keys(stored.sources['google:__proto__']!).sort()).toEqual(['__proto__', 'constructor']);
  });
});
