import { parseCanonicalContact } from '@contacts/core';
import { describe, expect, it } from 'vitest';
import { fixtureResults } from './fixture-results.js';
import { collectGroups } from './group-memberships.js';

const KATHERINE = '5f4e3d2c-1b0a-4987-8654-3210fedcba98';
const WEST = '0e1d2c3b-4a59-4687-a5b4-c3d2e1f0a9b8';

describe('a Nextcloud export (SabreDAV, vCard 4.0, LF only, KIND:group, a VLIST)', () => {
  const nextcloud = fixtureResults('nextcloud.vcf', {
    resolveCountry: (name) => (name === 'USA' ? 'US' : null),
  });
  const katherine = nextcloud.contact(KATHERINE);

  it('skips the VLIST object and reads the person and the group', () => {
    expect(nextcloud.results.map((r) => r.kind)).toEqual(['contact', 'group', 'skipped']);
    expect(nextcloud.results[2]).toEqual({
      kind: 'skipped',
      objectKind: 'VLIST',
      reason: 'it holds a VLIST object, not a VCARD',
    });
  });

  it('reads names and the nickname', () => {
    expect(katherine).toMatchObject({
      display_name: 'Katherine Johnson',
      first_name: 'Katherine',
      middle_name: 'Coleman Goble',
      last_name: 'Johnson',
      nickname: 'Kathy',
    });
  });

  it('orders emails by PREF (1 = most preferred) and marks PREF=1 primary', () => {
    expect(katherine.emails).toEqual([
      { value: 'kj@example.net', type: 'home', primary: true },
      { value: 'katherine@nasa.example', type: 'work', primary: false },
    ]);
  });

  it('reads tel: URIs (with an extension) and a plain number, with E.164', () => {
    expect(katherine.phones).toEqual([
      { value: '+1-757-555-0123', e164: '+17575550123', type: 'mobile', primary: true },
      { value: '+1-757-555-0100 ext. 42', e164: '+17575550100', type: 'work', primary: false },
      { value: '757-555-0111', e164: '+17575550111', type: 'home', primary: false },
    ]);
  });

  it('reads a folded ADR, its LABEL as the formatted address, and the country through the resolver', () => {
    expect(katherine.addresses).toEqual([
      {
        type: 'work',
        street: '1 NASA Drive',
        extended: null,
        city: 'Hampton',
        region: 'VA',
        postal_code: '23681',
        country: 'USA',
        formatted: '1 NASA Drive\nHampton, VA 23681\nUSA',
        country_code: 'US',
        primary: true,
      },
    ]);
  });

  it('reads BDAY --MMDD without year and a basic-format ANNIVERSARY', () => {
    expect(katherine.birthdays).toEqual([{ year: null, month: 8, day: 26, type: 'birthday', text: null }]);
    expect(katherine.anniversaries).toEqual([
      { year: 1939, month: 11, day: 1, type: 'anniversary', text: null },
    ]);
  });

  it('reads ORG with two units, TITLE, URL, IMPP and a bare X-SOCIALPROFILE', () => {
    expect(katherine.organizations).toEqual([
      {
        name: 'NASA',
        title: 'Research mathematician',
        department: 'Langley Research Center, Flight Research Division',
        current: null,
        primary: true,
      },
    ]);
    expect(katherine.urls).toEqual([{ value: 'https://nasa.example/katherine', type: null }]);
    expect(katherine.usernames).toEqual([
      { service: 'jabber', value: 'katherine@jabber.example' },
      { service: 'twitter', value: 'kjohnson' },
    ]);
  });

  it('keeps an inline data: PHOTO out of the avatar and out of the raw payload', () => {
    expect(katherine.photos).toEqual([]);
    expect(JSON.stringify(katherine.raw)).not.toContain('base64,/9j/');
    expect(JSON.stringify(katherine.raw)).toContain('characters of inline data, not kept');
  });

  it('reads KIND:group with MEMBER urn:uuid values, and gives the member the group and its categories', () => {
    expect(nextcloud.group(WEST)).toMatchObject({
      group: { external_id: `urn:uuid:${WEST}`, name: 'West Computers' },
      memberUids: [KATHERINE, 'ffffffff-0000-4000-8000-000000000000'],
    });
    const { contacts } = collectGroups(nextcloud.results);
    expect(contacts[0]?.group_memberships).toEqual([
      'category:NASA',
      'category:Human Computers',
      `urn:uuid:${WEST}`,
    ]);
    expect(() => parseCanonicalContact(contacts[0])).not.toThrow();
  });
});
