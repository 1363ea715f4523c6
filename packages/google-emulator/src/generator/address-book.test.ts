import { describe, expect, it } from 'vitest';
import { EmulatorError } from '../errors.js';
import { PERSON_LIST_FIELDS_IN_ORDER } from '../fields.js';
import type { DateValue, Person, PersonListField } from '../types.js';
import { type AddressBook, generateAddressBook } from './address-book.js';
import { AWKWARD_CASES } from './awkward.js';
import { applyPattern, PHONE_PLANS } from './phones.js';
import { Prng } from './prng.js';

const book: AddressBook = generateAddressBook({ seed: 2024, people: 1_000 });
const byName = new Map(book.people.map((p) => [p.resourceName, p]));
const everyPerson = [...book.people, ...book.otherContacts];
const all = <K extends PersonListField>(field: K) =>
  book.people.flatMap((p) => (p[field] ?? []) as NonNullable<Person[K]>[number][]);

describe('generateAddressBook: determinism', () => {
  it('gives identical JSON for the same seed and a different book for another seed', () => {
    const again = generateAddressBook({ seed: 2024, people: 1_000 });
    expect(JSON.stringify(again)).toBe(JSON.stringify(book));
    const other = generateAddressBook({ seed: 2025, people: 1_000 });
    expect(JSON.stringify(other.people)).not.toBe(JSON.stringify(book.people));
  });

  it('gives the same first people for a larger book (same groups), whatever the other contacts', () => {
    const small = generateAddressBook({ seed: 2024, people: 100, otherContacts: 3, userGroups: 6 });
    const large = generateAddressBook({ seed: 2024, people: 400, otherContacts: 0, userGroups: 6 });
    expect(JSON.stringify(large.people.slice(0, 100))).toBe(JSON.stringify(small.people));
  });

  it('does not use Math.random', () => {
    const original = Math.random;
    Math.random = () => {
      throw new Error('Math.random called');
    };
    try {
      expect(() => generateAddressBook({ seed: 1, people: 200 })).not.toThrow();
    } finally {
      Math.random = original;
    }
  });

  // How fast it generates is the benchmark's business (`pnpm bench` starts the emulator with
  // 25,000 people): a CPU-time bound here failed CI on a loaded two-core machine.
  it('generates 25,000 people with distinct resource names', () => {
    const big = generateAddressBook({ seed: 7, people: 25_000 });
    expect(big.people).toHaveLength(25_000);
    expect(new Set(big.people.map((p) => p.resourceName)).size).toBe(25_000);
  });

  it('refuses bad options with INVALID_OPTIONS', () => {
    for (const options of [
      { seed: 1.5, people: 1 },
      { seed: 1, people: -1 },
      { seed: 1, people: 1, otherContacts: 0.5 },
    ]) {
      try {
        generateAddressBook(options);
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(EmulatorError);
        expect((error as EmulatorError).code).toBe('INVALID_OPTIONS');
      }
    }
  });
});

describe('generateAddressBook: shape', () => {
  it('gives people/c<decimal of a 16-hex id> resource names, etags and CONTACT sources', () => {
    for (const person of book.people) {
      const source = person.metadata?.sources?.[0];
      expect(source?.type).toBe('CONTACT');
      expect(source?.id).toMatch(/^[0-9a-f]{16}$/);
      expect(person.resourceName).toBe(`people/c${BigInt(`0x${source?.id}`)}`);
      expect(person.etag).toMatch(/^%Eg/);
      expect(source?.etag).toMatch(/^#/);
      expect(source?.updateTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
      expect(person.metadata?.objectType).toBe('PERSON');
    }
    expect(new Set(book.people.map((p) => p.resourceName)).size).toBe(book.people.length);
  });

  it('marks exactly one entry of every non-empty list primary, each sourced from the person', () => {
    for (const person of everyPerson) {
      const source = person.metadata?.sources?.[0];
      for (const field of PERSON_LIST_FIELDS_IN_ORDER) {
        const entries = (person[field] ?? []) as { metadata?: { primary?: boolean; source?: unknown } }[];
        if (entries.length === 0) continue;
        expect(
          entries.filter((e) => e.metadata?.primary === true),
          `${person.resourceName} ${field}`,
        ).toHaveLength(1);
        for (const entry of entries)
          expect(entry.metadata?.source).toEqual({ type: source?.type, id: source?.id });
      }
    }
  });

  it('gives E.164 canonical forms that agree with the number as typed', () => {
    const phones = all('phoneNumbers');
    const parsed = phones.filter((p) => p.canonicalForm !== undefined);
    expect(parsed.length).toBeGreaterThan(800);
    for (const phone of parsed) {
      expect(phone.canonicalForm).toMatch(/^\+[1-9]\d{7,14}$/);
      // The digits typed, without a trunk prefix, are the tail of the E.164 number.
      const typed = (phone.value ?? '').replace(/\D/g, '').replace(/^(00|0|8|1)/, '');
      expect(phone.canonicalForm?.endsWith(typed), `${phone.value} vs ${phone.canonicalForm}`).toBe(true);
      expect(typed.length).toBeGreaterThanOrEqual(7);
    }
    const callingCodes = new Set(parsed.map((p) => p.canonicalForm?.slice(0, 3)));
    for (const prefix of ['+1', '+44', '+49', '+33', '+91', '+81', '+55']) {
      expect(
        [...callingCodes].some((code) => code?.startsWith(prefix)),
        prefix,
      ).toBe(true);
    }
    // Local formats, not only international ones.
    expect(phones.some((p) => /^\(\d{3}\) \d{3}-\d{4}$/.test(p.value ?? ''))).toBe(true);
    expect(phones.some((p) => /^0\d{4} \d{6}$/.test(p.value ?? ''))).toBe(true);
  });

  it('builds every numbering plan pattern with as many digits as the plan has', () => {
    const rng = new Prng(1);
    for (const [country, plan] of Object.entries(PHONE_PLANS)) {
      for (const numberPlan of [...plan.mobile, ...plan.landline]) {
        for (const pattern of [...numberPlan.local, numberPlan.intl]) {
          expect(pattern.split('#').length - 1, `${country} ${pattern}`).toBe(numberPlan.length);
        }
        expect(
          applyPattern(numberPlan.intl, rng.digits(numberPlan.length)).startsWith(`+${plan.callingCode} `),
        ).toBe(true);
      }
    }
  });

  it('gives addresses an ISO countryCode and a country name', () => {
    const addresses = all('addresses');
    expect(addresses.length).toBeGreaterThan(300);
    for (const address of addresses) {
      expect(address.countryCode).toMatch(/^[A-Z]{2}$/);
      // A name as typed ("UK" is one: its ISO code is GB), never relied on for the code.
      expect(address.country?.length).toBeGreaterThanOrEqual(2);
      expect(address.formattedValue).toContain(address.city);
    }
    expect(addresses.some((a) => a.country === 'United States')).toBe(true);
    expect(addresses.some((a) => a.country === 'Deutschland' && a.countryCode === 'DE')).toBe(true);
  });

  it('writes names in many scripts', () => {
    const names = all('names').map((n) => n.displayName ?? '');
    const scripts = {
      latinDiacritics: /[À-ž]/u,
      cyrillic: /\p{Script=Cyrillic}/u,
      greek: /\p{Script=Greek}/u,
      han: /\p{Script=Han}/u,
      arabic: /\p{Script=Arabic}/u,
      hebrew: /\p{Script=Hebrew}/u,
      devanagari: /\p{Script=Devanagari}/u,
      hangul: /\p{Script=Hangul}/u,
    };
    for (const [script, pattern] of Object.entries(scripts)) {
      expect(
        names.some((name) => pattern.test(name)),
        script,
      ).toBe(true);
    }
    expect(all('names').some((n) => n.phoneticFamilyName)).toBe(true);
  });

  it('has birthdays with and without year, text-only ones, and only real dates', () => {
    const birthdays = all('birthdays');
    expect(birthdays.some((b) => b.date?.year)).toBe(true);
    expect(birthdays.some((b) => b.date && !b.date.year)).toBe(true);
    expect(birthdays.some((b) => !b.date && b.text)).toBe(true);
    const dates = [...birthdays.map((b) => b.date), ...all('events').map((e) => e.date)].filter(
      (d): d is DateValue => d !== undefined,
    );
    for (const { year, month = 0, day = 0 } of dates) {
      const check = new Date(Date.UTC(year ?? 2000, month - 1, day));
      expect(check.getUTCMonth() + 1).toBe(month);
      expect(check.getUTCDate()).toBe(day);
    }
  });

  it('has events of several types, urls, IM clients, nicknames, photos and groups', () => {
    const eventTypes = new Set(all('events').map((e) => e.type));
    expect(eventTypes).toContain('anniversary');
    expect(eventTypes).toContain('other');
    expect([...eventTypes].some((t) => t !== 'anniversary' && t !== 'other')).toBe(true);
    expect(all('urls').length).toBeGreaterThan(50);
    expect(all('imClients').every((im) => im.username && im.protocol && im.formattedProtocol)).toBe(true);
    expect(all('nicknames').length).toBeGreaterThan(50);
    const photos = all('photos');
    expect(photos.some((p) => p.default === true)).toBe(true);
    expect(photos.some((p) => p.default === undefined)).toBe(true);
    const groups = new Set(all('memberships').map((m) => m.contactGroupMembership?.contactGroupId));
    expect(groups).toContain('myContacts');
    expect(groups).toContain('starred');
    const userGroups = book.contactGroups.filter((g) => g.groupType === 'USER_CONTACT_GROUP');
    expect(userGroups.some((g) => groups.has(g.resourceName.slice('contactGroups/'.length)))).toBe(true);
    expect(userGroups.every((g) => /^contactGroups\/[0-9a-f]{12}$/.test(g.resourceName) && g.name)).toBe(
      true,
    );
  });

  it('gives other contacts only names, e-mails, phones, photos and metadata', () => {
    expect(book.otherContacts).toHaveLength(250);
    for (const contact of book.otherContacts) {
      expect(contact.resourceName).toMatch(/^otherContacts\/c\d+$/);
      expect(contact.metadata?.sources?.[0]?.type).toBe('OTHER_CONTACT');
      for (const key of Object.keys(contact)) {
        expect([
          'resourceName',
          'etag',
          'metadata',
          'names',
          'emailAddresses',
          'phoneNumbers',
          'photos',
        ]).toContain(key);
      }
    }
  });
});

describe('generateAddressBook: awkward cases in a 1,000-person book', () => {
  const cases = (kind: string) =>
    book.cases
      .filter((c) => c.kind === kind)
      .map((c) => ({ ...c, person: byName.get(c.resourceName) as Person }));

  it('has every kind at least twice', () => {
    for (const kind of AWKWARD_CASES) expect(cases(kind).length, kind).toBeGreaterThanOrEqual(2);
  });

  it('really is awkward, case by case', () => {
    for (const { person } of cases('noName')) expect(person.names).toBeUndefined();
    for (const { person } of cases('onlyPhone')) {
      expect(Object.keys(person).sort()).toEqual([
        'etag',
        'memberships',
        'metadata',
        'phoneNumbers',
        'photos',
        'resourceName',
      ]);
    }
    for (const { person, relatedTo } of cases('sharedEmail')) {
      const other = byName.get(relatedTo as string);
      expect(person.emailAddresses?.[0]?.value).toBe(other?.emailAddresses?.[0]?.value);
      expect(person.resourceName).not.toBe(relatedTo);
    }
    for (const { person, relatedTo } of cases('duplicate')) {
      const original = byName.get(relatedTo as string) as Person;
      expect(person.names?.[0]?.displayName).toBe(original.names?.[0]?.displayName);
      expect(person.emailAddresses?.map((e) => e.value)).toEqual(
        original.emailAddresses?.map((e) => e.value),
      );
      expect(person.resourceName).not.toBe(original.resourceName);
    }
    for (const { person } of cases('longValues')) {
      expect(person.names?.[0]?.givenName?.length).toBe(2_000);
      expect(person.organizations?.[0]?.name?.length).toBe(2_000);
    }
    for (const { person } of cases('emoji')) {
      expect(person.names?.[0]?.displayName).toMatch(/\p{Extended_Pictographic}|\p{Regional_Indicator}/u);
    }
    for (const { person } of cases('rightToLeft'))
      expect(person.names?.[0]?.displayName).toMatch(/[\u0590-\u08ff]/);
    for (const { person } of cases('textOnlyBirthday'))
      expect(person.birthdays).toEqual([expect.objectContaining({ text: expect.any(String) })]);
    for (const { person } of cases('unparseablePhone')) {
      expect(person.phoneNumbers?.[0]?.canonicalForm).toBeUndefined();
    }
  });

  it('can be switched off', () => {
    expect(generateAddressBook({ seed: 1, people: 200, awkwardEvery: 0 }).cases).toEqual([]);
  });
});
