import { type GoogleEmulator, startGoogleEmulator } from '@contacts/google-emulator';
import { queryRows } from '@contacts/schema';
import { type DatabaseFixture, describeDatabase } from '@contacts/schema/testing';
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { startGoogleModule } from '../test-support/google-module.js';
import { resultText } from '../test-support/module-harness.js';

// Issue 7, deliverable 3: hostile payloads. Property-based pages of People API persons, served
// as given by the emulator (raw persons) over HTTP, read by the real Google provider (the real
// @googleapis/people client) and applied by the real runtime inside the module, through the MCP
// tool `contacts_sync_now`. Every page holds every category below at least once, in a random
// order and variant, plus random extra persons and persons that repeat an earlier id.
//
// Bad (a failure row with a sentence naming the field, the rest of the page applied, applied
// once corrected): no usable resourceName (absent, empty, blank, not text, 100 KB, a person that
// is not an object), a field of the wrong JSON type, a date the calendar does not have, a 100 KB
// value in a field the provider reads.
// Odd but valid (applied, values round-trip): emoji and right-to-left text, SQL and LIKE
// metacharacters in names (stored verbatim, never name-matched to another contact), NUL bytes
// (dropped: Postgres text cannot hold them; also in ids), half an emoji (stored as U+FFFD; also
// in ids), empty strings and nulls (read as absent), unparseable phones (stored as typed, never
// an identity key), 100 KB and wrongly typed values in fields the provider does not read, no
// etag, no name, leap days, dates with a year only.
//
// Runs: CONTACTS_RELIABILITY_RUNS per driver, default 12: a page of 23 to 29 persons each (about
// 16 good and 6 bad in the first cycle), three cycles per run, 0.3 to 0.6 s per run on either
// driver, so the file stays well under 30 s with both. CONTACTS_RELIABILITY_SEED replays a failing
// run (fast-check prints its seed); CONTACTS_RELIABILITY_VERBOSE=1 prints the figures.
const RUNS = Number(process.env.CONTACTS_RELIABILITY_RUNS ?? 12);
const SEED = process.env.CONTACTS_RELIABILITY_SEED
  ? Number(process.env.CONTACTS_RELIABILITY_SEED)
  : undefined;
const KB100 = 100 * 1024;

// ---------------------------------------------------------------------------------------------
// The page model: slots served in order; each is a good person, possibly twisted or broken.

const TWISTS = [
  'plain',
  'emoji',
  'rightToLeft',
  'metacharacters',
  'nul',
  'halfEmoji',
  'emptyStrings',
  'nulls',
  'unparseablePhone',
  'hugeUnread',
  'junkUnread',
  'noEtag',
  'unnamed',
  'leapDay',
  'yearOnlyDate',
  'oddId',
] as const;
type Twist = (typeof TWISTS)[number];

const DEFECTS = ['unusableId', 'wrongType', 'impossibleDate', 'hugeRead'] as const;
type Defect = (typeof DEFECTS)[number];

interface SlotSpec {
  twist: Twist;
  defect: Defect | null;
  /** Picks the variant of the twist and of the defect. */
  pick: number;
  /**
   * A repeat of an earlier slot (`of` modulo the candidates): its id with a body of its own, or
   * (`copy`) the very same JSON; `unusable` copies a person without a usable id.
   */
  repeat: { of: number; copy: boolean; unusable: boolean } | null;
}

/** What the CRM must hold for a person once applied. */
interface Expected {
  id: string;
  etag: string | null;
  name: string;
  first: string | null;
  last: string | null;
  emails: string[];
  phones: string[];
  dates: string[];
}

interface Built {
  json: Record<string, unknown>;
  expected: Expected;
}

interface Broken {
  /** What is served. */
  json: unknown;
  /** A piece of the failure's sentence naming the field and the problem. */
  says: string;
  /** True when the failure cannot be keyed by the person's id (it is keyed by a hash). */
  unusableId: boolean;
}

const MY_CONTACTS = {
  contactGroupMembership: {
    contactGroupId: 'myContacts',
    contactGroupResourceName: 'contactGroups/myContacts',
  },
};
const primary = { metadata: { primary: true } };

const EMOJI = ['Zoë 🎉', '👩‍👩‍👧 Family', '🦄', 'Ünïcödé 😀', '🏳️‍🌈 Flag'];
const RIGHT_TO_LEFT = ['مريم', 'דוד\u200F', '\u202Eevil\u202C', 'עברית ومعها', 'سارا ‏(2)'];
/** LIKE patterns that would match a decoy, SQL that would break a query built by hand. */
const METACHARACTERS = [
  'Ada_Lovelace',
  'Grace%',
  '%%%',
  'a_c',
  "O''Brien",
  "Robert'); DROP TABLE shared.contacts;--",
  'a_b%c\\d',
  '$1 "quoted" \\\\%_',
  '_%_%',
];
/** CRM contacts made by hand before the sync: a LIKE match or a broken escape would merge them. */
const DECOYS = [
  { name: 'Ada Lovelace', first: 'Ada', last: 'Lovelace' },
  { name: 'AdaXLovelace', first: null, last: null },
  { name: 'Grace Hopper', first: 'Grace', last: 'Hopper' },
  { name: "O'Brien", first: null, last: null },
  { name: 'abc', first: null, last: null },
];
const JUNK_PHONES = [
  '+44',
  'ext. 12',
  'call reception',
  '+1 (555) CALL-NOW',
  '12345678901234567890',
  '+0 000',
];

const pick = <T>(items: readonly T[], n: number): T => items[n % items.length] as T;
const hundredKb = (n: number): string => `${n}-Ab%_\\'x`.repeat(KB100 / 8 + 1).slice(0, KB100);

/** A good person of slot `n`, twisted, as version `version` (the etag changes with it). */
function goodPerson(n: number, id: string, twist: Twist, variant: number, version: number): Built {
  const given = `Given${n}`;
  const family = `Family${n}`;
  const email = `person${n}@example.org`;
  const phone = `+49 30 ${1_000_000 + n}`;
  const month = 1 + (n % 12);
  const day = 1 + (n % 28);
  const etag = `%Etag${n}v${version}`;
  const json: Record<string, unknown> = {
    resourceName: id,
    etag,
    metadata: {
      sources: [{ type: 'CONTACT', id: `s${n}`, etag: `#s${n}v${version}` }],
      objectType: 'PERSON',
    },
    names: [{ ...primary, displayName: `${given} ${family}`, givenName: given, familyName: family }],
    emailAddresses: [{ ...primary, value: email, type: 'home' }],
    phoneNumbers: [{ ...primary, value: phone, canonicalForm: phone.replaceAll(' ', ''), type: 'mobile' }],
    birthdays: [{ ...primary, date: { month, day } }],
    memberships: [MY_CONTACTS],
  };
  const expected: Expected = {
    id,
    etag,
    name: `${given} ${family}`,
    first: given,
    last: family,
    emails: [email],
    phones: [phone],
    dates: [`birthday ${month}/${day}`],
  };
  const rename = (first: string, last: string | null) => {
    const display = last ? `${first} ${last}` : first;
    json.names = [
      { ...primary, displayName: display, givenName: first, ...(last ? { familyName: last } : {}) },
    ];
    Object.assign(expected, { name: display, first, last });
  };
  // Half the time: without an etag the person is applied again on every sync, which shows
  // whether what was stored compares equal to what comes (else each sync "updates" it).
  const withoutEtag = () => {
    if (variant % 4 < 2) return;
    delete json.etag;
    expected.etag = null;
  };
  switch (twist) {
    case 'plain':
      break;
    case 'emoji':
      rename(`${pick(EMOJI, variant)} ${n}`, `${family} 🚀`);
      break;
    case 'rightToLeft':
      rename(`${pick(RIGHT_TO_LEFT, variant)} ${n}`, 'ابن‎رشد');
      break;
    case 'metacharacters':
      // The whole name is the pattern: a LIKE comparison would match a decoy with it.
      rename(pick(METACHARACTERS, variant), null);
      break;
    case 'nul': {
      json.names = [
        { ...primary, displayName: `Nu\u0000ll ${n}`, givenName: `Nu\u0000ll${n}`, familyName: '\u0000' },
      ];
      json.emailAddresses = [{ ...primary, value: `person${n}\u0000@example.org` }];
      Object.assign(expected, { name: `Null ${n}`, first: `Null${n}`, last: null });
      withoutEtag();
      break;
    }
    case 'halfEmoji': {
      // Half a surrogate pair: what cutting a string by UTF-16 length leaves.
      const half = variant % 2 === 0 ? '\uD83D' : '\uDE00';
      json.names = [{ ...primary, displayName: `Half${half} ${n}`, givenName: `Half${half}${n}` }];
      Object.assign(expected, { name: `Half\uFFFD ${n}`, first: `Half\uFFFD${n}`, last: null });
      withoutEtag();
      break;
    }
    case 'emptyStrings':
      json.etag = '';
      json.names = [{ ...primary, displayName: '', givenName: given, familyName: '', middleName: '   ' }];
      json.nicknames = [{ value: '' }];
      json.emailAddresses = [{ value: '' }, { ...primary, value: email }];
      json.phoneNumbers = [{ value: '  ' }, ...(json.phoneNumbers as unknown[])];
      json.urls = [{ value: '' }];
      json.organizations = [{ name: '', title: '' }];
      json.birthdays = [{ text: '' }, ...(json.birthdays as unknown[])];
      Object.assign(expected, { etag: null, name: given, first: given, last: null });
      break;
    case 'nulls':
      json.names = [
        { ...primary, displayName: expected.name, givenName: given, familyName: family, middleName: null },
      ];
      json.nicknames = null;
      json.emailAddresses = [null, { ...primary, value: email, type: null }];
      json.organizations = null;
      json.addresses = [null];
      break;
    case 'unparseablePhone': {
      // "+44" in every such person: before the fix, strangers sharing it were merged.
      const junk = pick(JUNK_PHONES, variant);
      json.phoneNumbers = [...(json.phoneNumbers as unknown[]), { value: '+44' }, { value: junk }];
      expected.phones = [...new Set([phone, '+44', ...(/\d/.test(junk) ? [junk] : [])])];
      break;
    }
    case 'hugeUnread':
      json.biographies = [{ value: hundredKb(n), contentType: 'TEXT_PLAIN' }];
      json['x-unknown'] = { blob: hundredKb(n + 1) };
      break;
    case 'junkUnread':
      json.biographies = 42;
      json.genders = 'x';
      json.relations = { person: ['not', 'a', 'relation'] };
      json.userDefined = [null, 7];
      json.skills = { value: true };
      break;
    case 'noEtag':
      delete json.etag;
      expected.etag = null;
      break;
    case 'unnamed':
      delete json.names;
      Object.assign(expected, { name: email, first: null, last: null });
      break;
    case 'leapDay': {
      const year = variant % 2 === 0 ? null : 2000;
      json.birthdays = [{ ...primary, date: { ...(year ? { year } : {}), month: 2, day: 29 } }];
      expected.dates = ['birthday 2/29'];
      break;
    }
    case 'oddId': {
      // An id with a NUL (dropped: the same link as without it) or half an emoji (U+FFFD).
      const nul = variant % 2 === 0;
      json.resourceName = `${id}${nul ? '\u0000' : '\uD83D'}`;
      expected.id = `${id}${nul ? '' : '\uFFFD'}`;
      break;
    }
    case 'yearOnlyDate':
      json.birthdays = [{ ...primary, date: { year: 1990, month: 5 } }];
      json.events = [{ date: { year: 2001 }, type: 'anniversary' }];
      expected.dates = [];
      break;
  }
  return { json, expected };
}

const WRONG_TYPES: [string, unknown, string][] = [
  ['names', 'Ada', 'names is the text "Ada", not a list'],
  ['names', [{ givenName: 42 }], 'names[0].givenName is the number 42, not text'],
  [
    'names',
    [{ metadata: { primary: 'yes' }, givenName: 'X' }],
    'names[0].metadata.primary is the text "yes", not true or false',
  ],
  ['emailAddresses', [{ value: 42 }], 'emailAddresses[0].value is the number 42, not text'],
  ['emailAddresses', [{ value: ['a@b.c'] }], 'emailAddresses[0].value is a list, not text'],
  ['emailAddresses', { value: 'a@b.c' }, 'emailAddresses is an object, not a list'],
  ['phoneNumbers', ['+49 30 1234567'], 'phoneNumbers[0] is the text "+49 30 1234567", not an object'],
  [
    'birthdays',
    [{ date: { month: '4', day: 12 } }],
    'birthdays[0].date.month is the text "4", not a whole number',
  ],
  [
    'birthdays',
    [{ date: { month: 4, day: 1.5 } }],
    'birthdays[0].date.day is the number 1.5, not a whole number',
  ],
  [
    'organizations',
    [{ name: 'Acme', current: 'yes' }],
    'organizations[0].current is the text "yes", not true or false',
  ],
  ['metadata', { deleted: 'false' }, 'metadata.deleted is the text "false", not true or false'],
  ['metadata', 'PERSON', 'metadata is the text "PERSON", not an object'],
  ['etag', 12345, 'etag is the number 12345, not text'],
  [
    'memberships',
    [{ contactGroupMembership: 'myContacts' }],
    'memberships[0].contactGroupMembership is the text "myContacts", not an object',
  ],
  [
    'photos',
    [{ url: 'https://example.org/p.jpg', default: 'true' }],
    'photos[0].default is the text "true", not true or false',
  ],
];

const IMPOSSIBLE_DATES: [string, Record<string, number>, string][] = [
  ['birthdays', { month: 2, day: 30 }, 'birthdays[0].date is February 30, which is not a calendar date'],
  ['birthdays', { month: 13, day: 1 }, 'birthdays[0].date.month is 13; a month is 1 to 12'],
  ['birthdays', { year: 2023, month: 2, day: 29 }, 'February 29, 2023, which is not a calendar date'],
  ['birthdays', { month: 4, day: 31 }, 'April 31, which is not a calendar date'],
  ['birthdays', { month: 6, day: 32 }, 'birthdays[0].date.day is 32; a day is 1 to 31'],
  ['birthdays', { day: 12 }, 'birthdays[0].date has a day (12) but no month'],
  ['birthdays', { year: -5, month: 1, day: 1 }, 'birthdays[0].date.year is -5'],
  ['events', { month: 11, day: 31 }, 'events[0].date is November 31, which is not a calendar date'],
];

/** A 100 KB value in a field the provider reads; the model names the canonical field. */
const HUGE_READS: [string, (huge: string) => unknown, string][] = [
  ['names', (huge) => [{ givenName: huge }], 'first_name: too long: 102,400 characters'],
  ['emailAddresses', (huge) => [{ value: `${huge}@example.org` }], 'emails.0.value: too long'],
  ['urls', (huge) => [{ value: `https://example.org/${huge}` }], 'urls.0.value: too long'],
  ['organizations', (huge) => [{ name: huge }], 'organizations.0.name: too long'],
  ['addresses', (huge) => [{ streetAddress: huge, countryCode: 'DE' }], 'addresses.0.street: too long'],
  ['nicknames', (huge) => [{ value: huge }], 'nickname: too long'],
  ['events', (huge) => [{ date: { month: 1, day: 1 }, type: huge }], 'anniversaries.0.type: too long'],
  ['imClients', (huge) => [{ username: huge, protocol: 'xmpp' }], 'usernames.0.value: too long'],
];

/** Breaks a good person in one way. */
function breakPerson(good: Record<string, unknown>, n: number, defect: Defect, variant: number): Broken {
  const json = structuredClone(good);
  switch (defect) {
    case 'unusableId': {
      const kind = variant % 8;
      if (kind === 0) delete json.resourceName;
      if (kind === 1) json.resourceName = '';
      if (kind === 2) json.resourceName = '   ';
      if (kind <= 2) return { json, says: 'resourceName is missing', unusableId: true };
      if (kind === 3) {
        json.resourceName = 4200 + n;
        return { json, says: `resourceName is the number ${4200 + n}, not text`, unusableId: true };
      }
      if (kind === 4) {
        json.resourceName = `people/c${hundredKb(n)}`;
        return { json, says: 'external_id: too long: 102,408 characters (at most 1,024)', unusableId: true };
      }
      // Not a person at all: an entry of `connections` that is not an object.
      const notAnObject = [null, 9000 + n, `people/c${n}`][kind - 5];
      const shown =
        notAnObject === null
          ? 'null'
          : typeof notAnObject === 'number'
            ? `the number ${notAnObject}`
            : `the text "${notAnObject}"`;
      return { json: notAnObject, says: `the person is ${shown}, not an object`, unusableId: true };
    }
    case 'wrongType': {
      const [field, value, says] = pick(WRONG_TYPES, variant);
      json[field] = value;
      return { json, says, unusableId: false };
    }
    case 'impossibleDate': {
      const [field, date, says] = pick(IMPOSSIBLE_DATES, variant);
      json[field] = [{ date, ...(field === 'events' ? { type: 'anniversary' } : {}) }];
      return { json, says, unusableId: false };
    }
    case 'hugeRead': {
      const [field, value, says] = pick(HUGE_READS, variant);
      json[field] = value(hundredKb(n));
      return { json, says, unusableId: false };
    }
  }
}

interface Slot {
  n: number;
  /** The id the slot's person was built on (its own, or the one its target was built on). */
  base: string;
  /** That id as the CRM stores it (an odd id loses its NUL, half an emoji becomes U+FFFD). */
  id: string;
  good: Built;
  broken: Broken | null;
  /** The slot's good person as version `version`: its correction is `make(2)`. */
  make: (version: number) => Built;
}

/** The slots of one page, in the order the emulator serves them. */
function buildPage(specs: SlotSpec[]): Slot[] {
  const slots: Slot[] = [];
  specs.forEach((spec, n) => {
    const { repeat } = spec;
    if (repeat?.copy) {
      // The same entry twice in a page: same JSON, same id (or the same lack of one), and the
      // same correction.
      const pool = slots.filter((s) => (repeat.unusable ? s.broken?.unusableId : true));
      const target = pick(pool.length > 0 ? pool : slots, repeat.of);
      slots.push({ ...target, n });
      return;
    }
    // A repeat is built on the id of an earlier slot whose id is usable, and cannot lose it.
    const targets = slots.filter((s) => !s.broken?.unusableId);
    const target = repeat && targets.length > 0 ? pick(targets, repeat.of) : undefined;
    const defect = target && spec.defect === 'unusableId' ? 'wrongType' : spec.defect;
    const base = target?.base ?? `people/c${7_000_000 + n}`;
    const make = (version: number) => goodPerson(n, base, spec.twist, spec.pick, version);
    const good = make(1);
    const broken = defect ? breakPerson(good.json, n, defect, spec.pick) : null;
    slots.push({ n, base, id: good.expected.id, good, broken, make });
  });
  return slots;
}

const slotSpec = (twist: fc.Arbitrary<Twist>, defect: fc.Arbitrary<Defect | null>): fc.Arbitrary<SlotSpec> =>
  fc.record({ twist, defect, pick: fc.nat({ max: 1000 }), repeat: fc.constant(null) });

const repeatSpec: fc.Arbitrary<SlotSpec> = fc.record({
  twist: fc.constantFrom(...TWISTS),
  // A repeat keeps its id, so it is never one without an id.
  defect: fc.option(fc.constantFrom<Defect>('wrongType', 'impossibleDate', 'hugeRead'), { freq: 2 }),
  pick: fc.nat({ max: 1000 }),
  repeat: fc.record({ of: fc.nat({ max: 1000 }), copy: fc.boolean(), unusable: fc.constant(false) }),
});

/**
 * A page: every twist and every defect at least once (two unparseable phones, so that two
 * strangers share "+44"; two persons without a usable id, one of them with NUL or half an emoji,
 * which jsonb does not store as sent), a few random extra persons, then repeats of earlier ids,
 * among them an exact copy of a person without an id; each part in a random order.
 */
const pageArbitrary: fc.Arbitrary<SlotSpec[]> = fc
  .tuple(
    fc.tuple(
      ...[...TWISTS, 'unparseablePhone' as const].map((twist) =>
        slotSpec(fc.constant(twist), fc.constant(null)),
      ),
    ),
    fc.tuple(
      ...DEFECTS.map((defect) => slotSpec(fc.constantFrom(...TWISTS), fc.constant(defect))),
      slotSpec(fc.constantFrom<Twist>('nul', 'halfEmoji'), fc.constant('unusableId')),
    ),
    fc.array(slotSpec(fc.constantFrom(...TWISTS), fc.option(fc.constantFrom(...DEFECTS), { freq: 2 })), {
      maxLength: 4,
    }),
    fc.array(repeatSpec, { minLength: 1, maxLength: 3 }),
    fc.record({
      twist: fc.constant<Twist>('plain'),
      defect: fc.constant(null),
      pick: fc.nat({ max: 1000 }),
      repeat: fc.record({ of: fc.nat({ max: 1000 }), copy: fc.constant(true), unusable: fc.constant(true) }),
    }),
  )
  .chain(([twists, defects, extras, repeats, copy]) => {
    const main = [...twists, ...defects, ...extras];
    const tail = [...repeats, copy];
    // Repeats come after the rest, so that they have earlier slots to repeat.
    return fc
      .tuple(
        fc.shuffledSubarray(main, { minLength: main.length }),
        fc.shuffledSubarray(tail, { minLength: tail.length }),
      )
      .map(([a, b]) => [...a, ...b]);
  });

// ---------------------------------------------------------------------------------------------

interface Row {
  id: string;
  contact: string | null;
  etag: string | null;
  deleted: boolean;
}

describeDatabase(
  'hostile People API payloads: emulator over HTTP, Google provider, runtime',
  (t: DatabaseFixture) => {
    const s = () => sql.identifier(t.butlerSchema);

    async function seedDecoys(): Promise<string[]> {
      const rows = await queryRows<{ id: string }>(
        t.db,
        sql`insert into shared.contacts (name, first_name, last_name)
        select name, first, last from jsonb_to_recordset(${JSON.stringify(DECOYS)}::text::jsonb)
          as r(name text, first text, last text)
        returning id`,
      );
      return rows.map((r) => r.id);
    }

    async function startModule(emulator: GoogleEmulator) {
      const { module, call, logger, close } = await startGoogleModule({
        db: t.db,
        butlerSchema: t.butlerSchema,
        emulator,
        now: Date.parse('2026-03-01T08:00:00Z'),
      });
      /** One cycle through the tool; it must resolve, and report what it did. */
      const sync = async (mode: 'incremental' | 'full') => {
        const result = await call('contacts_sync_now', { mode });
        expect(result.isError, resultText(result)).toBeFalsy();
        expect(module.runtime?.status().lastError).toBeNull();
        expect(logger.lines.filter((line) => line.level === 'error')).toEqual([]);
        return (result.structuredContent as { summary: Record<string, number> }).summary;
      };
      return {
        sync,
        status: async () => (await call('contacts_sync_status')).structuredContent as Record<string, unknown>,
        close,
      };
    }

    const links = () =>
      queryRows<Row>(
        t.db,
        sql`select external_contact_id as id, local_contact_id as contact, source_etag as etag, deleted_at is not null as deleted
        from ${s()}.contacts_source_links where provider = 'google' and account_id = 'default'`,
      );
    const failures = () =>
      queryRows<{ id: string; error: string; raw: string | null }>(
        t.db,
        sql`select external_contact_id as id, error, raw::text as raw from ${s()}.contacts_sync_failures
        where provider = 'google' and account_id = 'default'`,
      );

    /** The CRM as the assertions compare it: one entry per contact id. */
    async function crm() {
      const contacts = await queryRows<{
        id: string;
        name: string;
        first: string | null;
        last: string | null;
      }>(t.db, sql`select id, name, first_name as first, last_name as last from shared.contacts`);
      const info = await queryRows<{ contact: string; type: string; value: string }>(
        t.db,
        sql`select contact_id as contact, type, value from shared.contact_info`,
      );
      const dates = await queryRows<{ contact: string; label: string; month: number; day: number }>(
        t.db,
        sql`select contact_id as contact, label, month, day from ${s()}.important_dates`,
      );
      return new Map(
        contacts.map((c) => [
          c.id,
          {
            name: c.name,
            first: c.first,
            last: c.last,
            emails: info
              .filter((i) => i.contact === c.id && i.type === 'email')
              .map((i) => i.value)
              .sort(),
            phones: info
              .filter((i) => i.contact === c.id && i.type === 'phone')
              .map((i) => i.value)
              .sort(),
            dates: dates
              .filter((d) => d.contact === c.id)
              .map((d) => `${d.label} ${d.month}/${d.day}`)
              .sort(),
          },
        ]),
      );
    }

    /** Every expected person has a live link to its own contact holding exactly its values; nothing else is linked. */
    async function expectApplied(expected: Expected[], decoys: string[]) {
      const rows = (await links()).filter((r) => !r.deleted);
      const byId = new Map(rows.map((r) => [r.id, r]));
      const contacts = await crm();
      for (const e of expected) {
        const link = byId.get(e.id);
        expect(link, `${e.id} is linked`).toBeDefined();
        expect(link!.etag).toBe(e.etag);
        const c = contacts.get(link!.contact!);
        expect(c, `${e.id} has its CRM contact`).toEqual({
          name: e.name,
          first: e.first,
          last: e.last,
          emails: [...e.emails].sort(),
          phones: [...e.phones].sort(),
          dates: [...e.dates].sort(),
        });
      }
      expect([...byId.keys()].sort()).toEqual(expected.map((e) => e.id).sort());
      // No person twice, no two people in one contact, no decoy linked or changed.
      const linked = rows.map((r) => r.contact);
      expect(new Set(linked).size).toBe(linked.length);
      for (const decoy of decoys) expect(linked).not.toContain(decoy);
      expect(contacts.size).toBe(decoys.length + expected.length);
      expect(decoys.map((id) => contacts.get(id)?.name)).toEqual(DECOYS.map((d) => d.name));
    }

    /** The failure rows are exactly `bad` (by id, or by hash for unusable ids), each a readable sentence. */
    async function expectFailures(bad: { id: string | null; says: string }[]) {
      const rows = await failures();
      const keyed = bad.filter((b) => b.id !== null);
      const hashed = bad.filter((b) => b.id === null);
      expect(
        rows
          .filter((r) => !r.id.startsWith('invalid:'))
          .map((r) => r.id)
          .sort(),
      ).toEqual(keyed.map((b) => b.id).sort());
      expect(rows.filter((r) => r.id.startsWith('invalid:'))).toHaveLength(hashed.length);
      for (const row of rows) {
        expect(row.error).toMatch(/^Contact .+ is invalid: \S/);
        expect(row.error).not.toMatch(/\[object Object\]|\n\s+at |undefined|Failed query/);
        expect(row.error.length).toBeLessThan(600);
        expect(row.raw).not.toBeNull();
      }
      for (const b of keyed) {
        expect(rows.find((r) => r.id === b.id)?.error, b.id!).toContain(b.says);
      }
      const unmatched = [...rows.filter((r) => r.id.startsWith('invalid:'))];
      for (const b of hashed) {
        const index = unmatched.findIndex((r) => r.error.includes(b.says));
        expect(index, `a failure saying "${b.says}"`).toBeGreaterThanOrEqual(0);
        unmatched.splice(index, 1);
      }
    }

    it(`applies the good persons of a hostile page, records each bad one, applies it once corrected (${RUNS} runs)`, async () => {
      let pages = 0;
      let served = 0;
      let badCount = 0;
      let goodCount = 0;
      await fc.assert(
        fc.asyncProperty(pageArbitrary, async (specs) => {
          await t.database.reset();
          const decoys = await seedDecoys();
          const emulator = await startGoogleEmulator({ seed: 3 });
          const runtime = await startModule(emulator);
          try {
            const slots = buildPage(specs);
            const handles = slots.map((slot) =>
              emulator.admin.addRawPerson(slot.broken ? slot.broken.json : slot.good.json),
            );

            // The last occurrence of an id in a page wins, as it would across pages.
            const last = new Map<string, Slot>();
            for (const slot of slots) if (!slot.broken?.unusableId) last.set(slot.id, slot);
            const goodAfterFirst = [...last.values()]
              .filter((slot) => !slot.broken)
              .map((slot) => slot.good.expected);
            const badIds = [...last.values()]
              .filter((slot) => slot.broken)
              .map((slot) => ({ id: slot.id, says: slot.broken!.says }));
            const unusable = slots
              .filter((slot) => slot.broken?.unusableId)
              .map((slot) => ({
                id: null,
                says: slot.broken!.says,
                json: JSON.stringify(slot.broken!.json),
              }));
            // Equal payloads without an id are one failure.
            const hashed = [...new Map(unusable.map((u) => [u.json, u])).values()];
            pages += 1;
            served += slots.length;
            badCount += badIds.length + hashed.length;
            goodCount += goodAfterFirst.length;

            const first = await runtime.sync('full');
            expect(first).toMatchObject({ fetched: slots.length, failed: badIds.length + hashed.length });
            await expectApplied(goodAfterFirst, decoys);
            await expectFailures([...badIds, ...hashed]);
            expect(await runtime.status()).toMatchObject({
              last_error: null,
              contact_count: goodAfterFirst.length,
              failed_contacts: badIds.length + hashed.length,
            });

            // Corrected at the source: every id ends with the corrected last version, served by
            // all of its records; a person that had no usable id gets its own.
            const final = new Map<string, Built>();
            for (const [id, slot] of last) final.set(id, slot.broken ? slot.make(2) : slot.good);
            slots.forEach((slot, index) => {
              const handle = handles[index]!.resourceName;
              if (slot.broken?.unusableId) {
                const fixed = slot.make(2);
                final.set(fixed.expected.id, fixed);
                emulator.admin.replaceRawPerson(handle, fixed.json);
              } else if (final.get(slot.id) !== slot.good || slot.broken) {
                emulator.admin.replaceRawPerson(handle, final.get(slot.id)!.json);
              }
            });
            const expectedFinal = [...final.values()].map((built) => built.expected);

            // The next cycle applies them; only the failures keyed by a hash stay (no id to follow)...
            const second = await runtime.sync('incremental');
            // Nothing applied before changed: a person served again compares equal to what was stored.
            expect(second).toMatchObject({ failed: hashed.length, updated: 0, conflicts: 0 });
            await expectApplied(expectedFinal, decoys);
            await expectFailures(hashed);
            // ...until a full sync proves their payloads are gone.
            expect(await runtime.sync('full')).toMatchObject({
              failed: 0,
              updated: 0,
              conflicts: 0,
              deleted: 0,
            });
            await expectApplied(expectedFinal, decoys);
            await expectFailures([]);
            expect(await runtime.status()).toMatchObject({ last_error: null, failed_contacts: 0 });
          } finally {
            await runtime.close();
            await emulator.close();
          }
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      );
      expect(pages).toBe(RUNS);
      if (process.env.CONTACTS_RELIABILITY_VERBOSE) {
        console.info(
          `hostile payloads [${t.driver}]: ${pages} pages, ${served} persons served; first cycles: ${goodCount} good applied, ${badCount} bad recorded`,
        );
      }
    }, 600_000);
  },
);
