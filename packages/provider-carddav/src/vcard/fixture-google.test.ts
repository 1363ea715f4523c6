import { parseCanonicalContact } from '@contacts/core';
import { describe, expect, it } from 'vitest';
import { codeOnlyCountry } from './address-country.js';
import { fixtureResults } from './fixture-results.js';
import { collectGroups } from './group-memberships.js';

const GRACE = '7a3c9e0b8d1f2a45';
const NAMELESS = '4b1d0c9e2f3a7b68';

describe("a Google Contacts export (vCard 3.0, CRLF, Google's hex UIDs)", () => {
  // Country names through the default resolver: core's table of names (as Google's provider reads them).
  const google = fixtureResults('google.vcf');
  const grace = google.contact(GRACE);

  it('reads N with prefix, middle names and suffix, FN, NICKNAME', () => {
    expect(grace).toMatchObject({
      display_name: 'Grace Hopper',
      first_name: 'Grace',
      middle_name: 'Brewster Murray',
      last_name: 'Hopper',
      nickname: 'Amazing Grace',
    });
  });

  it('reads emails once per address whatever its case; the first is primary without TYPE=pref', () => {
    expect(grace.emails).toEqual([
      { value: 'grace@navy.example', type: 'work', primary: true },
      { value: 'Grace.Hopper@example.com', type: 'home', primary: false },
    ]);
  });

  it('reads national numbers in the country the address names (through the name resolver)', () => {
    expect(grace.addresses).toEqual([
      {
        type: 'home',
        street: '1 Navy Way',
        extended: null,
        city: 'Arlington',
        region: 'VA',
        postal_code: '22201',
        country: 'United States',
        formatted: null,
        country_code: 'US',
        primary: true,
      },
    ]);
    expect(grace.phones).toEqual([
      { value: '+1 202-555-0143', e164: '+12025550143', type: 'mobile', primary: true },
      { value: '(202) 555-0100', e164: '+12025550100', type: 'work', primary: false },
      { value: '(202) 555-0199', e164: '+12025550199', type: 'workFax', primary: false },
    ]);
  });

  it('without a name table, a country name gives no code and national numbers no E.164 (never a guess)', () => {
    const plain = fixtureResults('google.vcf', { resolveCountry: codeOnlyCountry }).contact(GRACE);
    expect(plain.addresses?.[0]?.country_code).toBeNull();
    expect(plain.phones?.map((p) => p.e164)).toEqual(['+12025550143', null, null]);
  });

  it('reads ORG, TITLE, a dated BDAY, X-ABDATEs with their labels (a --MMDD one without year)', () => {
    expect(grace.organizations).toEqual([
      {
        name: 'United States Navy',
        title: 'Rear Admiral',
        department: 'Office of Naval Research',
        current: null,
        primary: true,
      },
    ]);
    expect(grace.birthdays).toEqual([{ year: 1906, month: 12, day: 9, type: 'birthday', text: null }]);
    expect(grace.anniversaries).toEqual([
      { year: 1930, month: 6, day: 15, type: 'anniversary', text: null },
      { year: null, month: 3, day: 14, type: 'Pi day', text: null },
    ]);
  });

  it('reads URLs with escaped colons, X-JABBER and X-SKYPE as usernames, PHOTO without VALUE=uri as the avatar', () => {
    expect(grace.urls).toEqual([
      { value: 'https://grace.example.com', type: null },
      { value: 'https://blog.grace.example.com', type: 'BLOG' },
    ]);
    expect(grace.usernames).toEqual([
      { service: 'jabber', value: 'grace@jabber.example' },
      { service: 'skype', value: 'grace.h' },
    ]);
    expect(grace.photos).toEqual([
      { url: 'https://lh3.googleusercontent.com/contacts/AAAA-grace', primary: true, is_default: false },
    ]);
  });

  it('reads CATEGORIES as memberships of groups named after each category', () => {
    expect(grace.group_memberships).toEqual(['category:myContacts', 'category:Navy', 'category:starred']);
    expect(collectGroups(google.results).groups).toEqual([
      { external_id: 'category:myContacts', name: 'myContacts', system: false, deleted: false },
      { external_id: 'category:Navy', name: 'Navy', system: false, deleted: false },
      { external_id: 'category:starred', name: 'starred', system: false, deleted: false },
    ]);
  });

  it('reads a card with empty FN and N as a person without a name, its --MMDD birthday without year', () => {
    expect(google.contact(NAMELESS)).toMatchObject({
      display_name: null,
      first_name: null,
      last_name: null,
      emails: [{ value: 'no.name@example.com', type: null, primary: true }],
      phones: [{ value: '0301 234567', e164: null, type: null, primary: true }],
      birthdays: [{ year: null, month: 12, day: 9, type: 'birthday', text: null }],
    });
    for (const contact of collectGroups(google.results).contacts)
      expect(() => parseCanonicalContact(contact)).not.toThrow();
  });
});
