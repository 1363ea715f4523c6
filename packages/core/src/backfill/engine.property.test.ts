import { createHash } from 'node:crypto';
import { queryRows } from '@contacts/schema';
import { createTestDatabase, type TestDatabase } from '@contacts/schema/testing';
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CanonicalContactInput, CanonicalGroup } from '../model/canonical-contact.js';
import { crmProjection, readContacts } from './crm-snapshot.test-support.js';
import { testEngine } from './engine.test-support.js';

/**
 * Properties of the engine over random histories: source snapshots (changes and tombstones),
 * hand edits and hand-deleted contacts, applied in pages of random sizes. PGlite only (speed).
 *
 * The generator keeps identity order-independent as the design intends: every source contact of
 * a person carries that person's primary email (and only that person's phones), and names are
 * unique per person; two source contacts per person exercise merging.
 */
const PERSONS = [1, 2, 3];
const IDS = PERSONS.flatMap((p) => [`people/p${p}a`, `people/p${p}b`]);
const SOURCE = 'memory:default';
const FIELDS = ['name', 'nickname', 'company', 'job_title', 'first_name'] as const;
const groups: CanonicalGroup[] = [
  { external_id: 'g/1', name: 'Friends', system: false, deleted: false },
  { external_id: 'g/2', name: 'Work', system: false, deleted: false },
  { external_id: 'g/sys', name: 'myContacts', system: true, deleted: false },
];

const person = (id: string) => Number(/p(\d)/.exec(id)![1]);

function versionOf(id: string): fc.Arbitrary<CanonicalContactInput> {
  const p = person(id);
  const text = (values: string[]) => fc.option(fc.constantFrom(...values), { nil: undefined });
  return fc
    .record({
      name: fc.constantFrom(`Ann Lee ${p}`, `A. Lee ${p}`, `Annie ${p}`),
      first_name: text(['Ann', 'Anna']),
      last_name: text(['Lee', 'Li']),
      nickname: text(['Nan', 'Lee-Lee']),
      org: fc.option(
        fc.record({ name: fc.constantFrom('Acme', 'Initech'), title: fc.constantFrom('Dev', 'CTO') }),
        {
          nil: undefined,
        },
      ),
      emails: fc.subarray([`p${p}.home@x.org`, `p${p}.work@x.org`]),
      phones: fc.subarray([`+1303555${p}001`, `+1303555${p}002`]),
      addresses: fc.subarray([
        { street: `${p} Main St`, city: 'Springfield', country_code: 'US' },
        { street: `${p} Side Rd`, country: 'United Kingdom' },
      ]),
      birthday: fc.option(
        fc.record({ month: fc.integer({ min: 1, max: 12 }), day: fc.integer({ min: 1, max: 28 }) }),
        {
          nil: undefined,
        },
      ),
      events: fc.subarray([
        { month: 6, day: 1, type: 'wedding' },
        { month: 1, day: 2, type: 'graduation' },
      ]),
      groups: fc.subarray(['g/1', 'g/2', 'g/sys']),
      withEtag: fc.boolean(),
    })
    .map((v) => {
      const contact: CanonicalContactInput = {
        external_id: id,
        display_name: v.name,
        first_name: v.first_name,
        last_name: v.last_name,
        nickname: v.nickname,
        organizations: v.org ? [v.org] : [],
        emails: [{ value: `person${p}@example.org`, primary: true }, ...v.emails.map((value) => ({ value }))],
        phones: v.phones.map((value) => ({ value })),
        addresses: v.addresses,
        birthdays: v.birthday ? [v.birthday] : [],
        anniversaries: v.events,
        group_memberships: v.groups,
      };
      // An etag is a digest of the content, or absent (then the contact is applied every time).
      const etag = v.withEtag ? createHash('sha1').update(JSON.stringify(contact)).digest('hex') : null;
      return { ...contact, etag };
    });
}

const change = fc
  .constantFrom(...IDS)
  .chain((id) =>
    fc.oneof(
      { weight: 4, arbitrary: versionOf(id) },
      { weight: 1, arbitrary: fc.constant<CanonicalContactInput>({ external_id: id, deleted: true }) },
    ),
  );

type Step =
  | { kind: 'sync'; contacts: CanonicalContactInput[] }
  | { kind: 'edit'; target: string; field: (typeof FIELDS)[number] }
  | { kind: 'hand-email'; target: string }
  | { kind: 'hand-delete'; target: string };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .uniqueArray(change, { selector: (c) => c.external_id, minLength: 1, maxLength: IDS.length })
      .map((contacts) => ({ kind: 'sync' as const, contacts })),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('edit' as const),
      target: fc.constantFrom(...IDS),
      field: fc.constantFrom(...FIELDS),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('hand-email' as const), target: fc.constantFrom(...IDS) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('hand-delete' as const), target: fc.constantFrom(...IDS) }),
  },
);

/** Histories start with a sync, so there is something to edit. */
const history = fc
  .tuple(
    step.filter((s) => s.kind === 'sync'),
    fc.array(step, { minLength: 1, maxLength: 7 }),
  )
  .map(([first, rest]) => [first, ...rest]);

const chunks = <T>(items: T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

describe('ContactBackfillEngine properties [pglite]', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase('pglite');
  });
  afterAll(async () => {
    await t.close();
  });

  const projection = () => crmProjection(t.db, t.butlerSchema);

  async function contactOf(externalId: string): Promise<string | null> {
    const rows = await queryRows<{ id: string }>(
      t.db,
      sql`select l.local_contact_id as id from ${sql.identifier(t.butlerSchema)}.contacts_source_links l
        join shared.contacts c on c.id = l.local_contact_id
        where l.provider = 'memory' and l.account_id = 'default' and l.external_contact_id = ${externalId}`,
    );
    return rows[0]?.id ?? null;
  }

  /** Plays a history with pages of `pageSize`; checks the invariants after every step. */
  async function play(steps: Step[], pageSize: number, checkIdempotence: boolean) {
    await t.reset();
    const engine = testEngine(t, { provider: 'memory', groups });
    const edits = new Map<string, Map<string, string>>(); // contact -> field -> hand value
    const handEmails: { contactId: string; value: string }[] = [];
    let n = 0;
    for (const s of steps) {
      n += 1;
      if (s.kind === 'sync') {
        for (const page of chunks(s.contacts, pageSize)) {
          await engine.applyBatch(page);
          if (checkIdempotence) {
            const once = await projection();
            await engine.applyBatch(page);
            expect(await projection(), 'a page applied twice equals the page applied once').toEqual(once);
          }
        }
      } else {
        const contactId = await contactOf(s.target);
        if (!contactId) continue;
        if (s.kind === 'edit') {
          const value = `Hand ${s.field} ${n}`;
          await t.db.execute(
            sql`update shared.contacts set ${sql.identifier(s.field)} = ${value} where id = ${contactId}`,
          );
          edits.set(contactId, (edits.get(contactId) ?? new Map()).set(s.field, value));
        } else if (s.kind === 'hand-email') {
          const value = `hand${n}@local.test`;
          await t.db.execute(
            sql`insert into shared.contact_info (contact_id, type, value, normalized_value)
              values (${contactId}, 'email', ${value}, ${value})`,
          );
          handEmails.push({ contactId, value });
        } else {
          await t.db.execute(sql`delete from shared.contacts where id = ${contactId}`);
          edits.delete(contactId);
        }
      }
      const contacts = await readContacts(t.db, t.butlerSchema);
      const byId = new Map(contacts.map((c) => [c.id, c]));
      // A local edit is never overwritten.
      for (const [contactId, fields] of edits) {
        const c = byId.get(contactId);
        for (const [field, value] of fields) {
          expect(c?.[field as (typeof FIELDS)[number]], `hand edit of ${field} kept`).toBe(value);
        }
      }
      for (const { contactId, value } of handEmails) {
        if (byId.has(contactId))
          expect(byId.get(contactId)!.info.join(' '), 'hand email kept').toContain(value);
      }
      // One external id never yields two CRM contacts.
      for (const id of IDS) {
        const holders = contacts.filter(
          (c) =>
            (c.metadata as { sources?: Record<string, Record<string, unknown>> }).sources?.[SOURCE]?.[id],
        );
        expect(holders.length, `CRM contacts recording ${id}`).toBeLessThanOrEqual(1);
        const linked = contacts.filter((c) => c.links.some((l) => l.startsWith(`${SOURCE}:${id}`)));
        expect(linked.length, `CRM contacts linked to ${id}`).toBeLessThanOrEqual(1);
        if (holders[0] && linked[0]) expect(linked[0].id).toBe(holders[0].id);
      }
    }
    return projection();
  }

  it('never overwrites a local edit, applies a page idempotently, and does not depend on page splits', async () => {
    await fc.assert(
      fc.asyncProperty(
        history,
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 4, max: 6 }),
        async (steps, a, b) => {
          const small = await play(steps, a, true);
          const large = await play(steps, b, false);
          expect(large, 'the final CRM does not depend on how contacts were split into pages').toEqual(small);
        },
      ),
      { numRuns: 25 },
    );
  }, 120_000);
});
