import { CoreError, parseCanonicalContact } from '@contacts/core';
import { describe, expect, it } from 'vitest';
import { parseVCard, parseVCards } from './parse-vcard.js';

const card = (version: string, ...lines: string[]) =>
  ['BEGIN:VCARD', `VERSION:${version}`, 'UID:ada-1', ...lines, 'END:VCARD', ''].join('\r\n');

function contactOf(text: string, options = {}) {
  const result = parseVCard(text, { href: '/books/default/ada.vcf', etag: '"e1"', ...options });
  if (result.kind !== 'contact') throw new Error(`expected a contact, got ${JSON.stringify(result)}`);
  return result.contact;
}

describe('parseVCard', () => {
  it('gives the person its href as id, the ETag, and its UID', () => {
    const result = parseVCard(card('4.0', 'FN:Ada'), { href: '/books/default/ada.vcf', etag: '"e1"' });
    expect(result).toMatchObject({
      kind: 'contact',
      uid: 'ada-1',
      contact: { external_id: '/books/default/ada.vcf', etag: '"e1"', display_name: 'Ada' },
    });
  });

  it('fails a card ical.js refuses with a sentence naming the href, the UID and the line', () => {
    const result = parseVCard(card('3.0', 'FN:Ada', 'NOTE this line has no colon'), { href: '/b/ada.vcf' });
    expect(result).toEqual({
      kind: 'failure',
      id: '/b/ada.vcf',
      message:
        'vCard /b/ada.vcf (UID ada-1) cannot be read at line 5, "NOTE this line has no colon": invalid line (no token ";" or ":").',
    });
  });

  it('names the whole line, and its number after folding, when ical.js quotes only part of it', () => {
    const folded = parseVCard(card('3.0', 'FN:Ada', ' Lovelace', 'TEL;=x:1'), { href: '/b/ada.vcf' });
    expect(folded).toMatchObject({
      kind: 'failure',
      message: 'vCard /b/ada.vcf (UID ada-1) cannot be read at line 6, "TEL;=x:1": Empty parameter name.',
    });
  });

  it('reads a card with LF line endings, folded lines and escapes', () => {
    const text =
      'BEGIN:VCARD\nVERSION:3.0\nUID:x\nFN:Smith\\, Jones \\; Partners\nNOTE:a\\nb\nORG:Very Long Na\n me Ltd\nEND:VCARD\n';
    expect(contactOf(text)).toMatchObject({
      display_name: 'Smith, Jones ; Partners',
      organizations: [{ name: 'Very Long Name Ltd' }],
    });
  });

  it('builds the display name from N when FN is missing or empty', () => {
    expect(contactOf(card('3.0', 'N:Lovelace;Ada;;Lady;', 'FN:')).display_name).toBe('Lady Ada Lovelace');
    expect(contactOf(card('4.0', 'N:Lovelace;Ada;;;')).display_name).toBe('Ada Lovelace');
  });

  it('skips an object that is not a VCARD, and fails text with no vCard at all', () => {
    expect(parseVCard('BEGIN:VLIST\r\nVERSION:1.0\r\nEND:VLIST\r\n')).toEqual({
      kind: 'skipped',
      objectKind: 'VLIST',
      reason: 'it holds a VLIST object, not a VCARD',
    });
    expect(parseVCard('<html>502 Bad Gateway</html>', { href: '/b/x.vcf' })).toEqual({
      kind: 'failure',
      id: '/b/x.vcf',
      message: 'vCard /b/x.vcf holds no vCard (no BEGIN:VCARD line).',
    });
  });

  it('fails a card without UID or href, since nothing identifies it', () => {
    const result = parseVCard('BEGIN:VCARD\nVERSION:3.0\nFN:Ada\nEND:VCARD\n');
    expect(result).toEqual({
      kind: 'failure',
      id: null,
      message: 'the vCard at line 1 has no UID and no href, so it cannot be identified.',
    });
  });

  it('reads a UID of NUL characters as none (found by the property test)', () => {
    expect(parseVCards('BEGIN:VCARD\r\nVERSION:3.0\r\nUID:\u0000\r\nEND:VCARD\r\n')).toEqual([
      {
        kind: 'failure',
        id: null,
        message: 'the vCard at line 1 has no UID and no href, so it cannot be identified.',
      },
    ]);
  });

  it('reads vCard 3.0 TYPE=pref and vCard 4.0 PREF=1 as the primary entry', () => {
    expect(
      contactOf(card('3.0', 'TEL;TYPE=HOME:+4930901820', 'TEL;TYPE=WORK,pref:+4930901821')).phones,
    ).toEqual([
      { value: '+4930901821', e164: '+4930901821', type: 'work', primary: true },
      { value: '+4930901820', e164: '+4930901820', type: 'home', primary: false },
    ]);
    expect(
      contactOf(
        card('4.0', 'EMAIL;PREF=50:b@example.org', 'EMAIL;PREF=3:c@example.org', 'EMAIL:a@example.org'),
      ).emails,
    ).toEqual([
      { value: 'c@example.org', type: null, primary: true },
      { value: 'b@example.org', type: null, primary: false },
      { value: 'a@example.org', type: null, primary: false },
    ]);
  });

  it('reads BDAY with and without year in every form', () => {
    const birthdays = contactOf(
      card(
        '4.0',
        'BDAY:--1210',
        'BDAY:--12-11',
        'BDAY:19531015T231000Z',
        'BDAY;VALUE=text:circa 1800',
        'BDAY:1985',
      ),
    ).birthdays;
    expect(birthdays).toEqual([
      { year: null, month: 12, day: 10, type: 'birthday', text: null },
      { year: null, month: 12, day: 11, type: 'birthday', text: null },
      { year: 1953, month: 10, day: 15, type: 'birthday', text: null },
      { year: null, month: null, day: null, type: 'birthday', text: 'circa 1800' },
      { year: null, month: null, day: null, type: 'birthday', text: '1985' },
    ]);
    // X-APPLE-OMIT-YEAR only hides the year it names: a real 1604 birthday elsewhere is kept.
    expect(contactOf(card('3.0', 'BDAY:1604-12-10')).birthdays).toEqual([
      { year: 1604, month: 12, day: 10, type: 'birthday', text: null },
    ]);
    expect(contactOf(card('3.0', 'BDAY;X-APPLE-OMIT-YEAR=1604:1604-02-29')).birthdays).toEqual([
      { year: null, month: 2, day: 29, type: 'birthday', text: null },
    ]);
  });

  it('keeps the same anniversary given both as X-ANNIVERSARY and as an Apple X-ABDATE once', () => {
    const contact = contactOf(
      card(
        '3.0',
        'X-ANNIVERSARY:2001-02-03',
        'item1.X-ABDATE:2001-02-03',
        'item1.X-ABLabel:_$!<Anniversary>!$_',
      ),
    );
    expect(contact.anniversaries).toEqual([
      { year: 2001, month: 2, day: 3, type: 'anniversary', text: null },
    ]);
  });

  it('reports a date the calendar does not have, so the engine fails the card instead of dropping the date', () => {
    const contact = contactOf(card('3.0', 'FN:Ada', 'BDAY:2023-02-29', 'item1.X-ABDATE:2001-13-01'));
    expect(contact.source_problems).toEqual([
      'BDAY 2023-02-29 is February 29, 2023, which is not a calendar date',
      'item1.X-ABDATE 2001-13-01 has month 13; a month is 1 to 12',
    ]);
    const error = (() => {
      try {
        parseCanonicalContact(contact);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(CoreError);
    expect((error as CoreError).message).toContain('BDAY 2023-02-29 is February 29, 2023');
  });

  it('maps Apple labels to plain words and keeps typed labels', () => {
    const contact = contactOf(
      card(
        '3.0',
        'item1.TEL:+4930901820',
        'item1.X-ABLabel:_$!<WorkFAX>!$_',
        'item2.TEL:+4930901821',
        'item2.X-ABLabel:_$!<Custom>!$_',
        'item3.EMAIL:a@example.org',
        'item3.X-ABLabel:Chess club\\, Tuesdays',
      ),
    );
    expect(contact.phones?.map((p) => p.type)).toEqual(['workFax', 'custom']);
    expect(contact.emails?.[0]?.type).toBe('Chess club, Tuesdays');
  });

  it('uses the resolver for a country name, and X-ABADR before it', () => {
    const seen: string[] = [];
    const resolveCountry = (name: string) => {
      seen.push(name);
      return name === 'Deutschland' ? 'DE' : null;
    };
    const contact = contactOf(
      card('3.0', 'ADR:;;Unter den Linden 1;Berlin;;10117;Deutschland', 'TEL:030 901820'),
      {
        resolveCountry,
      },
    );
    expect(seen).toEqual(['Deutschland']);
    expect(contact.addresses?.[0]?.country_code).toBe('DE');
    expect(contact.phones?.[0]?.e164).toBe('+4930901820');
    const apple = contactOf(card('3.0', 'item1.ADR:;;1 Rue;Paris;;75001;Frankreich', 'item1.X-ABADR:fr'), {
      resolveCountry,
    });
    expect(apple.addresses?.[0]?.country_code).toBe('FR');
  });

  // Issue 13: ADR country names became ISO codes only through a resolver the caller gave; the
  // default now reads core's table of country names (X-ABADR still first).
  it.each([
    ['Germany', 'DE'],
    ['United States', 'US'],
    ['USA', 'US'],
    ['Deutschland', 'DE'],
    ['Österreich', 'AT'],
    ['united kingdom', 'GB'],
    ['de', 'DE'],
    ['Atlantis', null],
    ['Un', null],
  ])('reads the ADR country %j as %j by default', (country, code) => {
    const contact = contactOf(card('3.0', `ADR;TYPE=home:;;1 Main St;Town;;12345;${country}`));
    expect(contact.addresses?.[0]?.country_code ?? null).toBe(code);
  });

  it("prefers Apple's X-ABADR to the country name, by default too", () => {
    const apple = contactOf(card('3.0', 'item1.ADR:;;1 Rue;Paris;;75001;Germany', 'item1.X-ABADR:fr'));
    expect(apple.addresses?.[0]?.country_code).toBe('FR');
    // A national number is read in the country the name gives.
    const berlin = contactOf(card('3.0', 'ADR:;;Unter den Linden 1;Berlin;;10117;Germany', 'TEL:030 901820'));
    expect(berlin.phones?.[0]?.e164).toBe('+4930901820');
  });

  it('reads a group card without a name as a failure: an id is never a label', () => {
    const result = parseVCard(card('4.0', 'KIND:group', 'MEMBER:urn:uuid:abc'), { href: '/b/g.vcf' });
    expect(result).toEqual({
      kind: 'failure',
      id: '/b/g.vcf',
      message:
        'vCard /b/g.vcf (UID ada-1) is a group card without a name (FN), so its members get no label from it.',
    });
  });

  it('names a group card by its href when it has one', () => {
    expect(
      parseVCard(card('4.0', 'KIND:group', 'FN:Chess', 'MEMBER:urn:uuid:ABC'), { href: '/b/g.vcf' }),
    ).toEqual({
      kind: 'group',
      uid: 'ada-1',
      group: { external_id: '/b/g.vcf', name: 'Chess', system: false, deleted: false },
      memberUids: ['ABC'],
    });
  });
});
