import { CanonicalContact, parseCanonicalContact } from '@contacts/core';
import type { people_v1 } from '@googleapis/people';
import { describe, expect, it } from 'vitest';
import { normalizePerson } from './normalize-person.js';

// The example person of google-people-api.md, verbatim (structure from a real response).
const SHAHED: people_v1.Schema$Person = JSON.parse(`{"resourceName":"people/c4278485694217203807",
 "etag":"%EiMBAgMFBgcICQoLDA0ODxATFBUWGSEiIyQlJicuNDU3PT4/QBoEAQIFByIMZFVwNlJPNEVKUzg9",
 "metadata":{"sources":[{"type":"CONTACT","id":"3b603c120c68305f","etag":"#dUp6RO4EJS8=","updateTime":"2023-01-30T14:35:18.142565Z"}],"objectType":"PERSON"},
 "names":[{"metadata":{"primary":true,"source":{"type":"CONTACT","id":"3b603c120c68305f"}},"displayName":"Shahed Mashni","familyName":"Mashni","givenName":"Shahed","displayNameLastFirst":"Mashni, Shahed","unstructuredName":"Shahed Mashni"}],
 "emailAddresses":[{"metadata":{"primary":true},"value":"shahed@example.com","type":"work","formattedType":"Work"}],
 "phoneNumbers":[{"metadata":{"primary":true},"value":"(303) 828-8765","canonicalForm":"+13038288765","type":"mobile","formattedType":"Mobile"}],
 "addresses":[{"metadata":{"primary":true},"formattedValue":"123 Main St\\nSpringfield, IL 62701","type":"home","streetAddress":"123 Main St","city":"Springfield","region":"IL","postalCode":"62701","countryCode":"US"}],
 "organizations":[{"metadata":{"primary":true},"name":"Acme Corp","title":"Senior Engineer","department":"Engineering","current":true}],
 "birthdays":[{"metadata":{"primary":true},"date":{"month":4,"day":12}}],
 "events":[{"metadata":{"primary":true},"date":{"year":2009,"month":8,"day":8},"type":"anniversary","formattedType":"Anniversary"}],
 "urls":[{"metadata":{"primary":true},"value":"https://example.com","type":"homePage"}],
 "memberships":[{"contactGroupMembership":{"contactGroupId":"myContacts","contactGroupResourceName":"contactGroups/myContacts"}}]}`);

const primary = { primary: true };

describe('normalizePerson', () => {
  it('maps the example person of the API notes field by field', () => {
    const contact = CanonicalContact.parse(normalizePerson(SHAHED, { source: 'connections' }));
    expect(contact).toEqual({
      external_id: 'people/c4278485694217203807',
      etag: SHAHED.etag,
      display_name: 'Shahed Mashni',
      first_name: 'Shahed',
      middle_name: null,
      last_name: 'Mashni',
      nickname: null,
      emails: [{ value: 'shahed@example.com', type: 'work', primary: true }],
      phones: [{ value: '(303) 828-8765', e164: '+13038288765', type: 'mobile', primary: true }],
      addresses: [
        {
          type: 'home',
          street: '123 Main St',
          extended: null,
          city: 'Springfield',
          region: 'IL',
          postal_code: '62701',
          country: null,
          country_code: 'US',
          formatted: '123 Main St\nSpringfield, IL 62701',
          primary: true,
        },
      ],
      organizations: [
        {
          name: 'Acme Corp',
          title: 'Senior Engineer',
          department: 'Engineering',
          current: true,
          primary: true,
        },
      ],
      birthdays: [{ year: null, month: 4, day: 12, type: 'birthday', text: null }],
      anniversaries: [{ year: 2009, month: 8, day: 8, type: 'anniversary', text: null }],
      urls: [{ value: 'https://example.com', type: 'homePage' }],
      usernames: [],
      photos: [],
      group_memberships: ['contactGroups/myContacts'],
      deleted: false,
      raw: SHAHED,
      previous_external_ids: [],
    });
  });

  it('puts the primary entry first in every list and marks only it primary', () => {
    const contact = normalizePerson(
      {
        resourceName: 'people/c2',
        etag: 'e2',
        emailAddresses: [
          { value: 'old@example.org', type: 'home' },
          { metadata: primary, value: 'main@example.org', type: 'work' },
        ],
        phoneNumbers: [{ value: '+44 20 7946 0958' }, { metadata: primary, value: '+1 303 828 8765' }],
        urls: [{ value: 'https://b.example' }, { metadata: primary, value: 'https://a.example' }],
        photos: [{ url: 'https://p/2.jpg' }, { metadata: primary, url: 'https://p/1.jpg' }],
      },
      { source: 'connections' },
    );
    expect(contact.emails?.map((e) => [e.value, e.primary])).toEqual([
      ['main@example.org', true],
      ['old@example.org', false],
    ]);
    expect(contact.phones?.map((p) => p.e164)).toEqual(['+13038288765', '+442079460958']);
    expect(contact.urls?.map((u) => u.value)).toEqual(['https://a.example', 'https://b.example']);
    expect(contact.photos?.[0]).toEqual({ url: 'https://p/1.jpg', primary: true, is_default: false });
  });

  it('takes the primary nickname and the middle name (defect 8: nicknames were never requested)', () => {
    const contact = normalizePerson(
      {
        resourceName: 'people/c3',
        names: [
          {
            metadata: primary,
            displayName: 'Ada King',
            givenName: 'Augusta',
            middleName: 'Ada',
            familyName: 'King',
          },
        ],
        nicknames: [{ value: 'Countess' }, { metadata: primary, value: 'Ada' }],
      },
      { source: 'connections' },
    );
    expect(contact).toMatchObject({
      first_name: 'Augusta',
      middle_name: 'Ada',
      last_name: 'King',
      nickname: 'Ada',
    });
  });

  describe('phones (defect 10: stored as typed, matched as E.164)', () => {
    const phones = (person: people_v1.Schema$Person) =>
      normalizePerson({ resourceName: 'people/p', ...person }, { source: 'connections' }).phones;

    it('derives E.164 in the country of the primary address when Google gave no canonical form', () => {
      expect(
        phones({
          phoneNumbers: [{ metadata: primary, value: '030 901820' }],
          addresses: [
            { countryCode: 'US', city: 'Boston' },
            { metadata: primary, countryCode: 'DE', city: 'Berlin' },
          ],
        }),
      ).toEqual([{ value: '030 901820', e164: '+4930901820', type: null, primary: true }]);
    });

    it('keeps e164 null for a national number without a country, and for garbage', () => {
      expect(
        phones({ phoneNumbers: [{ value: '030 901820' }, { value: 'ask reception' }, { value: '12' }] })?.map(
          (p) => p.e164,
        ),
      ).toEqual([null, null, null]);
    });

    it('ignores a canonicalForm that is not E.164 and derives instead', () => {
      expect(
        phones({ phoneNumbers: [{ value: '+49 30 901820', canonicalForm: '030901820' }] })?.[0]?.e164,
      ).toBe('+4930901820');
    });

    it('lists a number given twice (merged sources) once', () => {
      expect(
        phones({
          phoneNumbers: [
            { metadata: primary, value: '+1 303-828-8765' },
            { value: '(303) 828 8765', canonicalForm: '+13038288765' },
          ],
        }),
      ).toHaveLength(1);
    });
  });

  describe('addresses (defect 11: country[:2] made "United States" into "Un")', () => {
    const address = (entry: people_v1.Schema$Address) =>
      normalizePerson({ resourceName: 'people/a', addresses: [entry] }, { source: 'connections' })
        .addresses?.[0];

    it('takes Google countryCode, upper-cased', () => {
      expect(address({ country: 'United States', countryCode: 'us', city: 'Denver' })?.country_code).toBe(
        'US',
      );
    });

    it('derives the code from an exact country name, never from its first letters', () => {
      expect(address({ country: 'United States', city: 'Denver' })?.country_code).toBe('US');
      expect(address({ country: 'United Kingdom' })?.country_code).toBe('GB');
      expect(address({ country: 'Germany' })?.country_code).toBe('DE');
      expect(address({ country: "Côte d'Ivoire" })?.country_code).toBe('CI');
    });

    it('leaves the code null for a name it does not know', () => {
      expect(address({ country: 'Unitedia', city: 'X' })?.country_code).toBeNull();
      expect(address({ country: 'Un' })?.country_code).toBeNull();
    });

    it('drops an address with no content', () => {
      expect(address({ type: 'home', metadata: primary })).toBeUndefined();
    });
  });

  describe('dates', () => {
    it('keeps a birthday without a year (absent or 0) with year null, and one given only as text', () => {
      const contact = normalizePerson(
        {
          resourceName: 'people/d',
          birthdays: [
            { date: { year: 0, month: 2, day: 29 } },
            { metadata: primary, text: 'sometime in June' },
          ],
        },
        { source: 'connections' },
      );
      expect(contact.birthdays).toEqual([
        { year: null, month: null, day: null, type: 'birthday', text: 'sometime in June' },
        { year: null, month: 2, day: 29, type: 'birthday', text: null },
      ]);
      expect(() => CanonicalContact.parse(contact)).not.toThrow();
    });

    it('keeps each event with its own type (defect 12: every event was an anniversary)', () => {
      const contact = normalizePerson(
        {
          resourceName: 'people/e',
          events: [
            { date: { year: 2009, month: 8, day: 8 }, type: 'anniversary', formattedType: 'Anniversary' },
            { date: { month: 3, day: 1 }, type: 'other', formattedType: 'Other' },
            { date: { year: 2015, month: 6, day: 20 }, type: 'Graduation', formattedType: 'Graduation' },
            { date: { month: 5, day: 5 } },
            { date: { year: 2020 }, type: 'anniversary' },
          ],
        },
        { source: 'connections' },
      );
      expect(contact.anniversaries?.map((d) => [d.type, d.year, d.month, d.day])).toEqual([
        ['anniversary', 2009, 8, 8],
        ['other', null, 3, 1],
        ['Graduation', 2015, 6, 20],
        ['other', null, 5, 5],
      ]);
    });
  });

  it('maps IM clients to usernames with the protocol lower-cased as the service (defect 8)', () => {
    const contact = normalizePerson(
      {
        resourceName: 'people/im',
        imClients: [
          { username: 'ada.l', protocol: 'Skype', formattedProtocol: 'Skype' },
          { metadata: primary, username: 'ada@jabber.example', protocol: 'jabber' },
          { username: '@ada:matrix.org', protocol: 'Matrix' },
          { protocol: 'skype' },
        ],
      },
      { source: 'connections' },
    );
    expect(contact.usernames).toEqual([
      { service: 'jabber', value: 'ada@jabber.example' },
      { service: 'skype', value: 'ada.l' },
      { service: 'matrix', value: '@ada:matrix.org' },
    ]);
  });

  it('flags the placeholder photo as default', () => {
    const contact = normalizePerson(
      {
        resourceName: 'people/ph',
        photos: [{ metadata: primary, url: 'https://lh3/placeholder', default: true }],
      },
      { source: 'connections' },
    );
    expect(contact.photos).toEqual([{ url: 'https://lh3/placeholder', primary: true, is_default: true }]);
  });

  it('lists group memberships by resource name, once each, and none for other contacts', () => {
    const person: people_v1.Schema$Person = {
      resourceName: 'people/g',
      memberships: [
        {
          contactGroupMembership: {
            contactGroupId: 'myContacts',
            contactGroupResourceName: 'contactGroups/myContacts',
          },
        },
        { contactGroupMembership: { contactGroupId: '7f3a2b9c0d1e' } },
        { contactGroupMembership: { contactGroupResourceName: 'contactGroups/myContacts' } },
        { domainMembership: { inViewerDomain: true } },
      ],
    };
    expect(normalizePerson(person, { source: 'connections' }).group_memberships).toEqual([
      'contactGroups/myContacts',
      'contactGroups/7f3a2b9c0d1e',
    ]);
    expect(normalizePerson(person, { source: 'otherContacts' }).group_memberships).toEqual([]);
  });

  it('carries previousResourceNames as previous_external_ids (defect 17: renames made duplicates)', () => {
    const contact = normalizePerson(
      {
        resourceName: 'people/c99',
        etag: 'e99',
        metadata: { previousResourceNames: ['people/c1', 'people/c1', 'people/c99'], sources: [] },
        names: [{ metadata: primary, displayName: 'Renamed' }],
      },
      { source: 'connections' },
    );
    expect(contact.previous_external_ids).toEqual(['people/c1']);
  });

  it('reduces a tombstone to its id, etag and deleted flag', () => {
    const tombstone = {
      resourceName: 'people/c7',
      etag: '%EgE',
      metadata: { deleted: true, sources: [{ type: 'CONTACT', id: 'x' }] },
    };
    expect(normalizePerson(tombstone, { source: 'connections' })).toEqual({
      external_id: 'people/c7',
      etag: '%EgE',
      deleted: true,
    });
    expect(CanonicalContact.parse(normalizePerson(tombstone, { source: 'connections' })).deleted).toBe(true);
  });

  it('normalizes an other contact (readMask fields only) with its otherContacts/ id', () => {
    const contact = CanonicalContact.parse(
      normalizePerson(
        {
          resourceName: 'otherContacts/c5529438128963519540',
          etag: '%EgcBAgkuNz0+GgQBAgUH',
          metadata: { sources: [{ type: 'OTHER_CONTACT', id: '4cbfb5c58e6d1b74' }] },
          names: [
            {
              metadata: { primary: true, source: { type: 'OTHER_CONTACT', id: '4cbfb5c58e6d1b74' } },
              displayName: 'Grace H',
              givenName: 'Grace',
            },
          ],
          emailAddresses: [{ metadata: primary, value: 'grace@example.net' }],
        },
        { source: 'otherContacts' },
      ),
    );
    expect(contact).toMatchObject({
      external_id: 'otherContacts/c5529438128963519540',
      display_name: 'Grace H',
      emails: [{ value: 'grace@example.net', primary: true }],
    });
  });

  it('never throws on a malformed person, and reports what it could not read instead of reading it as absent', () => {
    const odd = {
      resourceName: 42,
      names: 'Ada',
      emailAddresses: [null, 7, { value: '' }, { value: 'ok@example.org' }],
      phoneNumbers: { value: '1' },
      birthdays: [{ date: { month: 13, day: 40 } }],
    } as unknown as people_v1.Schema$Person;
    const contact = normalizePerson(odd, { source: 'connections' });
    expect(contact.external_id).toBe('');
    expect(contact.emails).toEqual([{ value: 'ok@example.org', type: null, primary: false }]);
    // Read as absent, these would have removed what the source contributed before: reported instead.
    expect(contact.source_problems).toEqual([
      'resourceName is the number 42, not text',
      'names is the text "Ada", not a list',
      'emailAddresses[1] is the number 7, not an object',
      'phoneNumbers is an object, not a list',
      'birthdays[0].date.month is 13; a month is 1 to 12',
    ]);
    expect(() => parseCanonicalContact(contact)).toThrow(
      'Contact (without external_id) is invalid: resourceName is the number 42, not text; names is the text',
    );
    const nameless = normalizePerson({ names: [{ givenName: 'Ann' }] }, { source: 'connections' });
    expect(nameless.source_problems).toEqual(['resourceName is missing, so the person cannot be identified']);
  });

  it('reports a date the calendar does not have, and keeps partial and leap-day dates', () => {
    const dated = (birthdays: unknown[], events: unknown[] = []) =>
      normalizePerson({ resourceName: 'people/d', birthdays, events } as people_v1.Schema$Person, {
        source: 'connections',
      }).source_problems;
    expect(dated([{ date: { month: 2, day: 30 } }])).toEqual([
      'birthdays[0].date is February 30, which is not a calendar date',
    ]);
    expect(dated([], [{ date: { year: 2023, month: 2, day: 29 }, type: 'anniversary' }])).toEqual([
      'events[0].date is February 29, 2023, which is not a calendar date',
    ]);
    expect(dated([{ date: { day: 3 } }])).toEqual(['birthdays[0].date has a day (3) but no month']);
    expect(dated([{ date: { month: 6, day: 32 } }])).toEqual([
      'birthdays[0].date.day is 32; a day is 1 to 31',
    ]);
    expect(dated([{ date: { month: '6', day: 1 } }])).toEqual([
      'birthdays[0].date.month is the text "6", not a whole number',
    ]);
    // Valid: a leap day with no year or a leap year, year 0 (unknown), a year and month only.
    expect(
      dated([
        { date: { month: 2, day: 29 } },
        { date: { year: 2000, month: 2, day: 29 } },
        { date: { year: 0, month: 2, day: 29 } },
        { date: { year: 1990, month: 5 } },
      ]),
    ).toBeUndefined();
  });

  it('reads odd but readable values without a problem: nulls, empty strings, fields it does not read', () => {
    const contact = normalizePerson(
      {
        resourceName: 'people/o',
        etag: '',
        names: [{ givenName: 'Ödd 🎉', familyName: '', middleName: null }],
        emailAddresses: [null, { value: '' }, { value: 'o@example.org', type: null }],
        phoneNumbers: [{ value: 'call reception' }, { value: '+44' }],
        biographies: 42,
        genders: 'x',
        'x-unknown': { nested: [1, 'two'] },
      } as unknown as people_v1.Schema$Person,
      { source: 'connections' },
    );
    expect(contact.source_problems).toBeUndefined();
    expect(contact).toMatchObject({ etag: null, first_name: 'Ödd 🎉', last_name: null });
    expect(contact.phones?.map((p) => [p.value, p.e164])).toEqual([
      ['call reception', null],
      ['+44', null],
    ]);
  });

  it('reports a person that is not an object, and keeps what came as raw', () => {
    for (const [value, problem] of [
      [null, 'the person is null, not an object'],
      [7, 'the person is the number 7, not an object'],
      [['people/c1'], 'the person is a list, not an object'],
    ] as const) {
      const contact = normalizePerson(value as unknown as people_v1.Schema$Person, { source: 'connections' });
      expect(contact.source_problems).toEqual([problem]);
      expect(contact.raw).toEqual({ payload: value });
    }
  });

  it('reads a tombstone by its id, etag and flag only, and reports a flag that is not true or false', () => {
    const tombstone = normalizePerson(
      { resourceName: 'people/t', etag: 'e', metadata: { deleted: true }, names: 'ignored' } as never,
      { source: 'connections' },
    );
    expect(tombstone).toEqual({ external_id: 'people/t', etag: 'e', deleted: true });
    const unsure = normalizePerson({ resourceName: 'people/t', metadata: { deleted: 'true' } } as never, {
      source: 'connections',
    });
    // Not a tombstone, and not applied as a live contact either.
    expect(unsure.deleted).toBe(false);
    expect(unsure.source_problems).toEqual(['metadata.deleted is the text "true", not true or false']);
  });

  it('shows a long value in a problem by its beginning only', () => {
    const [problem] =
      normalizePerson({ resourceName: 'people/l', names: 'y'.repeat(100_000) } as never, {
        source: 'connections',
      }).source_problems ?? [];
    expect(problem).toBe(`names is the text "${'y'.repeat(40)}…", not a list`);
  });

  it('keeps the person payload itself as raw', () => {
    const contact = normalizePerson(SHAHED, { source: 'connections' });
    expect(contact.raw).toBe(SHAHED);
  });
});
