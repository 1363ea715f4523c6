import { parseCanonicalContact } from '@contacts/core';
import { describe, expect, it } from 'vitest';
import { fixtureResults } from './fixture-results.js';
import { collectGroups } from './group-memberships.js';

const ADA = '03a0e51f-d1aa-4385-8a53-e29025acd8af';
const COMPANY = '8a6f2f0e-3c1b-4e5d-9f7a-1b2c3d4e5f60';
const FAMILY = 'c2e3f4a5-0000-4000-8000-000000000001';

describe('an iCloud export (vCard 3.0, CRLF, folded lines, Apple item groups)', () => {
  const icloud = fixtureResults('icloud.vcf');
  const ada = icloud.contact(ADA);

  it('reads two people and one group card, nothing failed', () => {
    expect(icloud.text).toContain('\r\n');
    expect(icloud.results.map((r) => r.kind)).toEqual(['contact', 'contact', 'group']);
  });

  it('reads N into name parts and FN, unescaped, as the display name', () => {
    expect(ada).toMatchObject({
      external_id: ADA,
      display_name: 'Ada King, Countess of Lovelace',
      first_name: 'Ada',
      middle_name: 'Augusta',
      last_name: 'Lovelace',
      nickname: 'Ada',
    });
  });

  it('reads emails with TYPE=pref first and primary, and an X-ABLabel as the type', () => {
    expect(ada.emails).toEqual([
      { value: 'ada@example.org', type: 'home', primary: true },
      { value: 'ada@engines.example', type: 'work', primary: false },
      { value: 'countess@example.org', type: 'Salon', primary: false },
    ]);
  });

  it("reads phones with Google's type words, Apple's built-in label, and E.164 in the primary address's country", () => {
    expect(ada.phones).toEqual([
      { value: '020 7946 0958', e164: '+442079460958', type: 'mobile', primary: true },
      // 07700 900xxx is Ofcom's drama range: libphonenumber calls it invalid, so no E.164.
      { value: '+44 7700 900123', e164: null, type: 'iPhone', primary: false },
      { value: '020 7946 0959', e164: '+442079460959', type: 'homeFax', primary: false },
      { value: '+1 (303) 828-8765', e164: '+13038288765', type: 'main', primary: false },
    ]);
  });

  it('reads addresses across a folded line, with the country code from item.X-ABADR', () => {
    expect(ada.addresses).toEqual([
      {
        type: 'home',
        street: "12 St James's Square",
        extended: null,
        city: 'London',
        region: null,
        postal_code: 'SW1Y 4JH',
        country: 'United Kingdom',
        formatted: null,
        country_code: 'GB',
        primary: true,
      },
      {
        type: 'work',
        street: '1 Babbage Lane',
        extended: 'Floor 2',
        city: 'Marylebone',
        region: null,
        postal_code: 'NW1 6XE',
        country: null,
        formatted: null,
        country_code: 'GB',
        primary: false,
      },
    ]);
    // A country name in another language still gets its code from X-ABADR.
    expect(icloud.contact(COMPANY).addresses?.[0]).toMatchObject({
      country: 'Royaume-Uni',
      country_code: 'GB',
    });
  });

  it('reads ORG with its units as the department, and TITLE', () => {
    expect(ada.organizations).toEqual([
      {
        name: 'Analytical Engines Ltd',
        title: 'Analyst',
        department: 'Research, Mathematics',
        current: null,
        primary: true,
      },
    ]);
  });

  it('reads the birthday without year (X-APPLE-OMIT-YEAR=1604) and every X-ABDATE with its label', () => {
    expect(ada.birthdays).toEqual([{ year: null, month: 12, day: 10, type: 'birthday', text: null }]);
    expect(ada.anniversaries).toEqual([
      { year: 1835, month: 7, day: 8, type: 'anniversary', text: null },
      { year: 1843, month: 9, day: 1, type: 'Notes published', text: null },
      { year: 2020, month: 3, day: 1, type: 'other', text: null },
    ]);
  });

  it('reads the URL with its HomePage label, IMPP and X-SOCIALPROFILE as usernames, PHOTO as the avatar URL', () => {
    expect(ada.urls).toEqual([{ value: 'https://ada.example.org', type: 'homePage' }]);
    expect(ada.usernames).toEqual([
      { service: 'skype', value: 'ada.lovelace' },
      { service: 'jabber', value: 'ada@jabber.example' },
      { service: 'twitter', value: 'adalovelace' },
      { service: 'linkedin', value: 'ada-lovelace' },
    ]);
    expect(ada.photos).toEqual([
      { url: 'https://p42-contacts.icloud.com/123456789/wbs/01abcdef.jpg', primary: true, is_default: false },
    ]);
  });

  it('reads a company card (X-ABShowAs:COMPANY) by its FN, without name parts', () => {
    expect(icloud.contact(COMPANY)).toMatchObject({
      display_name: 'Analytical Engines Ltd',
      first_name: null,
      last_name: null,
      organizations: [{ name: 'Analytical Engines Ltd', primary: true }],
    });
  });

  it('reads the X-ADDRESSBOOKSERVER-KIND:group card as a group with its member UIDs, not a person', () => {
    expect(icloud.group(FAMILY)).toEqual({
      kind: 'group',
      uid: FAMILY,
      group: { external_id: `urn:uuid:${FAMILY}`, name: 'Family', system: false, deleted: false },
      memberUids: [ADA, COMPANY],
    });
  });

  it('gives both members the Family group, so they get a label named after it', () => {
    const { contacts, groups } = collectGroups(icloud.results);
    expect(groups).toEqual([
      { external_id: `urn:uuid:${FAMILY}`, name: 'Family', system: false, deleted: false },
    ]);
    expect(contacts.map((c) => c.group_memberships)).toEqual([
      [`urn:uuid:${FAMILY}`],
      [`urn:uuid:${FAMILY}`],
    ]);
  });

  it('gives people the canonical model accepts', () => {
    for (const contact of collectGroups(icloud.results).contacts)
      expect(() => parseCanonicalContact(contact)).not.toThrow();
  });
});
