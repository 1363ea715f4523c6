/**
 * Regressions found by the hostile-payload property test (packages/butler-module/src/reliability/
 * hostile-payloads.test.ts), pinned one by one at the engine. Each failed before its fix.
 */
import { queryRows } from '@contacts/schema';
import { describeDatabase } from '@contacts/schema/testing';
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import type { CanonicalContactInput } from '../model/canonical-contact.js';
import { readContacts } from './crm-snapshot.test-support.js';
import { testEngine } from './engine.test-support.js';

const person = (n: number, extra: Partial<CanonicalContactInput> = {}): CanonicalContactInput => ({
  external_id: `people/h${n}`,
  etag: `h${n}-1`,
  display_name: `Hostile Person ${n}`,
  emails: [{ value: `h${n}@example.org`, primary: true }],
  ...extra,
});

describeDatabase('engine: hostile payloads', (t) => {
  const engine = () => testEngine(t);
  const failures = () =>
    queryRows<{ id: string; error: string; attempts: number }>(
      t.db,
      sql`select external_contact_id as id, error, attempts
        from ${sql.identifier(t.butlerSchema)}.contacts_sync_failures order by 1`,
    );

  it('records a contact whose id is 100 KB under a hash, with a short message, and applies the rest', async () => {
    // Keyed by the id itself, the failure row was refused by its primary-key index, and with it the page.
    const huge = { external_id: `people/c${'7'.repeat(100 * 1024)}`, display_name: 'Huge Id' };
    const summary = await engine().applyBatch([person(1), huge, person(2)]);
    expect(summary).toMatchObject({ applied: 2, failed: 1 });
    const [row] = await failures();
    expect(row!.id).toMatch(/^invalid:[0-9a-f]{16}$/);
    expect(row!.error).toMatch(
      /^Contact people\/c7{72}… \(102,408 characters\) is invalid: external_id: too long: 102,408 characters \(at most 1,024\)$/,
    );
  });

  it('refuses a 100 KB name with a sentence naming the field, whether or not the database could index it', async () => {
    const summary = await engine().applyBatch([person(3, { first_name: 'a'.repeat(100 * 1024) }), person(4)]);
    expect(summary).toMatchObject({ applied: 1, failed: 1 });
    expect((await failures())[0]!.error).toBe(
      'Contact people/h3 is invalid: first_name: too long: 102,400 characters (at most 10,000)',
    );
  });

  it('writes one failure for a payload without an id that a page holds twice', async () => {
    // Two rows with one key in one insert: "ON CONFLICT DO UPDATE command cannot affect row a second time".
    const noId = { display_name: 'Nobody', emails: [{ value: 'nobody@example.org' }] };
    const summary = await engine().applyBatch([noId, person(5), { ...noId }]);
    expect(summary).toMatchObject({ fetched: 3, applied: 1, failed: 1, skipped: 1 });
    expect(await failures()).toHaveLength(1);
  });

  it('retries a payload without an id that holds NUL or half an emoji under the same failure row', async () => {
    // jsonb stores it without the NUL and with U+FFFD: hashed as sent, each retry added a row.
    const noId = { display_name: 'No\u0000body \uD83D', raw: { note: 'x\u0000\uDE00' } };
    await engine().applyBatch([noId]);
    const [row] = await queryRows<{ raw: string }>(
      t.db,
      sql`select raw::text as raw from ${sql.identifier(t.butlerSchema)}.contacts_sync_failures`,
    );
    await engine().applyBatch([JSON.parse(row!.raw)]);
    const rows = await failures();
    expect(rows).toHaveLength(1);
    expect(Number(rows[0]!.attempts)).toBe(2);
  });

  it('stores half an emoji as U+FFFD instead of failing the page, and finds nothing changed next time', async () => {
    const broken = person(6, { etag: null, display_name: 'Half \uD83D', nickname: '\uDE00x' });
    const first = await engine().applyBatch([broken, person(7)]);
    expect(first).toMatchObject({ created: 2, failed: 0 });
    const again = await engine().applyBatch([broken]);
    expect(again).toMatchObject({ applied: 1, updated: 0 });
    const names = (await readContacts(t.db, t.butlerSchema)).map((c) => c.name).sort();
    expect(names).toEqual(['Half \uFFFD', 'Hostile Person 7']);
  });

  it('treats ids that are equal once stored (one with a NUL, one with half an emoji) as one id of the page', async () => {
    const summary = await engine().applyBatch([
      person(11, { external_id: 'people/c11' }),
      person(12, { external_id: 'people/c11\u0000' }),
      person(13, { external_id: 'people/c13\uD83D' }),
    ]);
    expect(summary).toMatchObject({ fetched: 3, applied: 2, skipped: 1, failed: 0 });
    const rows = await queryRows<{ id: string }>(
      t.db,
      sql`select external_contact_id as id from ${sql.identifier(t.butlerSchema)}.contacts_source_links order by 1`,
    );
    expect(rows.map((r) => r.id)).toEqual(['people/c11', 'people/c13\uFFFD']);
    // The last one won, as for an id given twice.
    expect((await readContacts(t.db, t.butlerSchema)).map((c) => c.name).sort()).toEqual([
      'Hostile Person 12',
      'Hostile Person 13',
    ]);
  });

  it('does not merge strangers whose phones are the same junk typed with a "+"', async () => {
    // "+44" normalizes to "+44": it was a phone identity key, so both became one contact.
    const summary = await engine().applyBatch([
      person(8, { phones: [{ value: '+44' }] }),
      person(9, { phones: [{ value: '+44' }, { value: '+1 (555) CALL-NOW' }] }),
    ]);
    expect(summary).toMatchObject({ created: 2 });
    const later = await engine().applyBatch([person(10, { phones: [{ value: '+1 (555) CALL-NOW' }] })]);
    expect(later).toMatchObject({ created: 1 });
    const contacts = await readContacts(t.db, t.butlerSchema);
    expect(contacts).toHaveLength(3);
    // Still stored as typed.
    expect(
      contacts
        .flatMap((c) => c.info.filter((i) => i.startsWith('phone|')).map((i) => i.split('|')[2]))
        .sort(),
    ).toEqual(['+1 (555) CALL-NOW', '+1 (555) CALL-NOW', '+44', '+44']);
  });
});
