import { randomBytes } from 'node:crypto';
import { butlerTables, queryRows } from '@contacts/schema';
import { describeDatabase } from '@contacts/schema/testing';
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import type { CanonicalContactInput } from '../model/canonical-contact.js';
import { readContacts } from './crm-snapshot.test-support.js';
import { testEngine } from './engine.test-support.js';

/**
 * An email only the database can refuse: valid for the model, but its normalized value is too
 * large for a btree index row (~2,700 bytes), and random, so the index cannot compress it.
 */
const hugeEmail = () => `${randomBytes(2_500).toString('hex')}@example.org`;

interface FailureRow {
  external_contact_id: string;
  error: string;
  raw: string | null;
  attempts: number;
}

describeDatabase('ContactBackfillEngine failure isolation', (t) => {
  const engine = () => testEngine(t);
  const failures = async () =>
    queryRows<FailureRow>(
      t.db,
      sql`select external_contact_id, error, raw::text as raw, attempts
        from ${sql.identifier(t.butlerSchema)}.contacts_sync_failures order by external_contact_id`,
    );

  const good = (n: number): CanonicalContactInput => ({
    external_id: `people/good${n}`,
    etag: 'e1',
    display_name: `Good Person ${n}`,
    emails: [{ value: `good${n}@example.org` }],
  });

  it('applies the rest of a page and records malformed and refused contacts with their payloads', async () => {
    const noId = { display_name: 'Nobody', emails: [{ value: 'nobody@example.org' }] };
    const month13 = {
      external_id: 'people/month13',
      display_name: 'Bad Date',
      birthdays: [{ month: 13, day: 1 }],
    };
    const huge = { external_id: 'people/huge', display_name: 'Huge Email', emails: [{ value: hugeEmail() }] };
    const page = [good(1), noId, good(2), month13, good(3), huge, good(4), good(5)];

    const summary = await engine().applyBatch(page);
    expect(summary).toMatchObject({ fetched: 8, applied: 5, created: 5, failed: 3 });

    const names = (await readContacts(t.db, t.butlerSchema)).map((c) => c.name).sort();
    expect(names).toEqual([1, 2, 3, 4, 5].map((n) => `Good Person ${n}`));

    const rows = await failures();
    expect(rows.map((r) => r.external_contact_id)).toEqual([
      expect.stringMatching(/^invalid:[0-9a-f]{16}$/),
      'people/huge',
      'people/month13',
    ]);
    const [invalid, refused, badDate] = rows as [FailureRow, FailureRow, FailureRow];
    expect(invalid.error).toMatch(/^Contact \(without external_id\) is invalid: external_id:/);
    expect(JSON.parse(invalid.raw!)).toEqual(noId);
    expect(badDate.error).toMatch(/people\/month13 is invalid: birthdays\.0\.month/);
    expect(JSON.parse(badDate.raw!)).toEqual(month13);
    // The database's own reason, readable: not a wall of SQL and parameters.
    expect(refused.error).toMatch(/index row/i);
    expect(refused.error).not.toMatch(/insert into|params:/i);
    expect(refused.error.length).toBeLessThan(500);
    expect(refused.error).toMatch(/^Could not apply contact people\/huge: .*\(SQLSTATE 54000\)$/);
    expect(JSON.parse(refused.raw!)).toEqual(huge);
    expect(rows.every((r) => Number(r.attempts) === 1)).toBe(true);

    // A retry of the same payloads fails again and counts the attempt.
    const retry = await engine().applyBatch([noId, month13, huge]);
    expect(retry).toMatchObject({ failed: 3, applied: 0 });
    expect((await failures()).map((r) => Number(r.attempts))).toEqual([2, 2, 2]);

    // Fixed at the source: the failure is cleared.
    await engine().applyBatch([
      { ...huge, emails: [{ value: 'huge@example.org' }] },
      { ...month13, birthdays: [] },
    ]);
    expect((await failures()).map((r) => r.external_contact_id)).toEqual([invalid.external_contact_id]);
  });

  it('isolates a refused contact among many at a bounded cost', async () => {
    const page = Array.from({ length: 64 }, (_, i) => good(i));
    page[41] = { external_id: 'people/huge', display_name: 'Huge', emails: [{ value: hugeEmail() }] };
    t.statements.reset();
    const summary = await engine().applyBatch(page);
    expect(summary).toMatchObject({ applied: 63, failed: 1 });
    // log2(64) rounds of bisection, each a handful of statements, never one per contact.
    expect(t.statements.count).toBeLessThan(150);
  });

  it('records a tombstone of a contact never linked as nothing to do, not a failure', async () => {
    const summary = await engine().applyBatch([{ external_id: 'people/x', deleted: true }]);
    expect(summary).toMatchObject({ skipped: 1, failed: 0 });
    expect(await t.db.select().from(butlerTables(t.butlerSchema).contactsSyncFailures)).toEqual([]);
  });

  it('survives a NUL character in a payload', async () => {
    const summary = await engine().applyBatch([
      { external_id: 'people/nul', display_name: 'Nul\u0000Byte', raw: { note: 'a\u0000b' } },
    ]);
    expect(summary).toMatchObject({ applied: 1, failed: 0 });
  });
});
