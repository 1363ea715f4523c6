import { parseCanonicalContact } from '@contacts/core';
import { describe, expect, it } from 'vitest';
import { fixtureResults } from './fixture-results.js';
import { collectGroups } from './group-memberships.js';

const ALAN = '2d1b1e4c-6d3a-4f5e-8a9b-0c1d2e3f4a5b';
const COLLEAGUES = '9f8e7d6c-5b4a-4321-8fed-cba987654321';

describe('a Fastmail export (Cyrus, vCard 3.0, LF only, Apple-style group card and CATEGORIES)', () => {
  const fastmail = fixtureResults('fastmail.vcf');
  const alan = fastmail.contact(ALAN);

  it('arrives with LF line endings and is read whole', () => {
    expect(fastmail.text).not.toContain('\r');
    expect(fastmail.results.map((r) => r.kind)).toEqual(['contact', 'group']);
  });

  it('reads names, the nickname and ORG/TITLE', () => {
    expect(alan).toMatchObject({
      display_name: 'Alan Turing',
      first_name: 'Alan',
      middle_name: 'Mathison',
      last_name: 'Turing',
      nickname: 'Prof',
      organizations: [
        {
          name: 'University of Manchester',
          title: 'Reader',
          department: 'Computing Machine Laboratory',
          primary: true,
        },
      ],
    });
  });

  it('reads TYPE=pref entries as primary and a country typed as a code as the ISO code', () => {
    expect(alan.emails).toEqual([
      { value: 'alan@manchester.example', type: 'work', primary: true },
      { value: 'alan@turing.example', type: 'home', primary: false },
    ]);
    expect(alan.addresses).toEqual([
      {
        type: 'home',
        // An unescaped comma in an ADR part is a list separator in 3.0: the parts are joined back.
        street: 'Hollymeade, Adlington Road',
        extended: null,
        city: 'Wilmslow',
        region: 'Cheshire',
        postal_code: 'SK9 2BT',
        country: 'GB',
        formatted: null,
        country_code: 'GB',
        primary: true,
      },
    ]);
    expect(alan.phones).toEqual([
      // The drama range 07700 900xxx is not a valid number for libphonenumber: no E.164 rather than a wrong one.
      { value: '07700 900456', e164: null, type: 'mobile', primary: true },
      { value: '0161 496 0000', e164: '+441614960000', type: 'home', primary: false },
    ]);
  });

  it('reads the year-0000 birthday as one without year, X-ANNIVERSARY as an anniversary', () => {
    expect(alan.birthdays).toEqual([{ year: null, month: 6, day: 23, type: 'birthday', text: null }]);
    expect(alan.anniversaries).toEqual([{ year: 1952, month: 3, day: 31, type: 'anniversary', text: null }]);
  });

  it('reads the URL, a Matrix IMPP as @user:server, a Mastodon profile URL as its handle', () => {
    expect(alan.urls).toEqual([{ value: 'https://www.manchester.example/turing', type: 'work' }]);
    expect(alan.usernames).toEqual([
      { service: 'matrix', value: '@alan:turing.example' },
      { service: 'mastodon', value: 'alan' },
    ]);
    expect(alan.photos).toEqual([]);
  });

  it('gives the member both the category group and the group card, each once by id', () => {
    const { contacts, groups } = collectGroups(fastmail.results);
    expect(fastmail.group(COLLEAGUES).memberUids).toEqual([ALAN]);
    expect(contacts[0]?.group_memberships).toEqual(['category:Colleagues', `urn:uuid:${COLLEAGUES}`]);
    expect(groups.map((g) => [g.external_id, g.name])).toEqual([
      [`urn:uuid:${COLLEAGUES}`, 'Colleagues'],
      ['category:Colleagues', 'Colleagues'],
    ]);
    expect(() => parseCanonicalContact(contacts[0])).not.toThrow();
  });
});
