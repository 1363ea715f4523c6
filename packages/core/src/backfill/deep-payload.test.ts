/**
 * Issue 11, defect 5: a person whose `emailAddresses` nested 10,000 levels failed the whole page
 * with "Maximum call stack size exceeded" on every cycle: the failure row's `raw` was serialised
 * outside the per-contact isolation. Every per-contact step now fails only its contact: such a
 * contact is a failure with a sentence and its payload kept cut at 100 levels. Also: an id whose
 * UTF-8 form is too long for the failure table's key (its row was refused, and the page with it).
 */
import { randomBytes } from 'node:crypto';
import { queryRows } from '@contacts/schema';
import { describeDatabase } from '@contacts/schema/testing';
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import type { CanonicalContactInput } from '../model/canonical-contact.js';
import { readContacts } from './crm-snapshot.test-support.js';
import { testEngine } from './engine.test-support.js';

const nest = (depth: number): unknown => {
  let v: unknown = { value: 'deep@example.org' };
  for (let i = 0; i < depth; i += 1) v = [v];
  return v;
};

const good = (n: number): CanonicalContactInput => ({
  external_id: `people/good${n}`,
  display_name: `Good Person ${n}`,
  emails: [{ value: `good${n}@example.org` }],
});

interface FailureRow {
  id: string;
  error: string;
  raw: string | null;
  kind: string | null;
  attempts: number;
}

describeDatabase('engine: payloads no serialiser can take whole', (t) => {
  const engine = () => testEngine(t);
  const failures = () =>
    queryRows<FailureRow>(
      t.db,
      sql`select external_contact_id as id, error, raw::text as raw, jsonb_typeof(raw) as kind, attempts
        from ${sql.identifier(t.butlerSchema)}.contacts_sync_failures order by 1`,
    );
  const names = async () => (await readContacts(t.db, t.butlerSchema)).map((c) => c.name).sort();

  it('records a contact nested 10,000 levels deep with a sentence, applies the rest, and retries it as one row', async () => {
    const deep = {
      external_id: 'people/deep',
      display_name: 'Deep',
      emails: nest(10_000),
      raw: { resourceName: 'people/deep', emailAddresses: nest(10_000) },
    };
    const summary = await engine().applyBatch([good(1), deep, good(2)]);
    expect(summary).toMatchObject({ fetched: 3, applied: 2, failed: 1 });
    expect(await names()).toEqual(['Good Person 1', 'Good Person 2']);
    const [row] = await failures();
    expect(row).toMatchObject({ id: 'people/deep', kind: 'object', attempts: 1 });
    expect(row!.error).toMatch(/^Contact people\/deep is invalid: emails\.0: .+/);
    expect(row!.error).toMatch(/Its payload nests deeper than 100 levels; it is kept cut at that depth\.$/);
    expect(row!.raw).toContain('"[cut: nested deeper than 100 levels]"');

    // The cycle's retry applies the stored payload again: the same row, one more attempt.
    const again = await engine().applyBatch([JSON.parse(row!.raw!)]);
    expect(again).toMatchObject({ failed: 1 });
    const rows = await failures();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: 'people/deep', attempts: 2, error: row!.error });
  });

  it('keys a deep payload without an id by the same hash on every retry', async () => {
    const deep = { display_name: 'No Id', emails: nest(10_000) };
    await engine().applyBatch([deep, good(1)]);
    const [row] = await failures();
    expect(row!.id).toMatch(/^invalid:[0-9a-f]{16}$/);
    await engine().applyBatch([JSON.parse(row!.raw!)]);
    await engine().applyBatch([deep]);
    const rows = await failures();
    expect(rows).toHaveLength(1);
    expect(Number(rows[0]!.attempts)).toBe(3);
  });

  it('records a contact the database refuses whose payload nests 10,000 levels deep', async () => {
    // Valid for the model; refused by an index (an email too large for a btree row), so it is
    // isolated and written as a failure with its payload, which held the deep source person.
    const refused = {
      external_id: 'people/refused',
      display_name: 'Refused',
      emails: [{ value: `${randomBytes(2_500).toString('hex')}@example.org` }],
      raw: { resourceName: 'people/refused', emailAddresses: nest(10_000) },
    };
    const summary = await engine().applyBatch([good(1), refused, good(2)]);
    expect(summary).toMatchObject({ applied: 2, failed: 1 });
    const [row] = await failures();
    expect(row).toMatchObject({ id: 'people/refused', kind: 'object' });
    expect(row!.error).toMatch(/^Could not apply contact people\/refused: .*index/);
  });

  it('applies a valid contact whose source payload nests 10,000 levels deep', async () => {
    const summary = await engine().applyBatch([
      { ...good(3), raw: { resourceName: 'people/good3', junk: nest(10_000) } },
    ]);
    expect(summary).toMatchObject({ applied: 1, failed: 0 });
  });

  it('records a malformed payload that holds a cycle instead of failing the page', async () => {
    const cyclic: Record<string, unknown> = { external_id: 'people/cycle', emails: 'not a list' };
    cyclic.raw = { self: cyclic };
    const summary = await engine().applyBatch([cyclic, good(4)]);
    expect(summary).toMatchObject({ applied: 1, failed: 1 });
    expect((await failures())[0]!.error).toMatch(/kept cut/);
  });

  it('refuses an id whose UTF-8 form is too long to be a key, with a sentence, and applies the rest', async () => {
    // 1,024 CJK characters are 3,072 bytes: the failure row's key was refused by its index,
    // and the page with it, whether the contact was valid or not.
    const cjk = Array.from({ length: 1024 }, (_, i) =>
      String.fromCodePoint(0x4e00 + ((i * 7919) % 20_000)),
    ).join('');
    const summary = await engine().applyBatch([
      { external_id: cjk, display_name: 'Long Id' },
      { external_id: `${cjk.slice(1)}x`, display_name: 42 },
      good(5),
    ]);
    expect(summary).toMatchObject({ applied: 1, failed: 2 });
    const rows = await failures();
    expect(rows.map((r) => r.id)).toEqual([
      expect.stringMatching(/^invalid:[0-9a-f]{16}$/),
      expect.stringMatching(/^invalid:[0-9a-f]{16}$/),
    ]);
    expect(rows.map((r) => r.error).join('\n')).toMatch(
      /external_id: too long: 3,072 bytes in UTF-8 \(at most 1,536\)/,
    );
  });
});
