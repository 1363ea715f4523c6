import { readFileSync } from 'node:fs';
import { CanonicalContact, CanonicalGroup } from '@contacts/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { collectGroups } from './group-memberships.js';
import { parseVCard, parseVCards, type VCardResult } from './parse-vcard.js';

const KINDS = ['contact', 'group', 'skipped', 'failure'];

/** What every result must be, whatever the text: a person the model accepts, a group, a skip, or a sentence. */
function expectWellFormed(result: VCardResult): void {
  expect(KINDS).toContain(result.kind);
  if (result.kind === 'failure') expect(result.message).toMatch(/\S/);
  if (result.kind === 'group') expect(CanonicalGroup.safeParse(result.group).success).toBe(true);
  if (result.kind === 'contact' && result.contact.source_problems === undefined) {
    const parsed = CanonicalContact.safeParse(result.contact);
    if (!parsed.success) throw new Error(`not a canonical contact: ${parsed.error.message}`);
  }
}

const NAMES = [
  'FN',
  'N',
  'NICKNAME',
  'EMAIL',
  'TEL',
  'ADR',
  'ORG',
  'TITLE',
  'URL',
  'IMPP',
  'X-SOCIALPROFILE',
  'BDAY',
  'ANNIVERSARY',
  'X-ANNIVERSARY',
  'X-ABDATE',
  'X-ABLabel',
  'X-ABADR',
  'PHOTO',
  'CATEGORIES',
  'KIND',
  'X-ADDRESSBOOKSERVER-KIND',
  'MEMBER',
  'X-ADDRESSBOOKSERVER-MEMBER',
  'UID',
  'X-JABBER',
  'NOTE',
  'BEGIN',
  'END',
];
const PARAMS = [
  '',
  ';TYPE=pref',
  ';TYPE=HOME,WORK',
  ';PREF=1',
  ';PREF=999',
  ';VALUE=uri',
  ';VALUE=text',
  ';VALUE=date',
  ';X-APPLE-OMIT-YEAR=1604',
  ';ENCODING=b',
  ';x-user=ada',
  ';X-SERVICE-TYPE=Skype',
  ';LABEL="a\\nb"',
  ';TYPE=',
];
const VALUE_PARTS = [
  'Ada',
  ';',
  ',',
  '\\',
  '\\,',
  '\\;',
  '\\n',
  ':',
  'tel:+1-555-0100',
  'urn:uuid:',
  'group',
  '--1210',
  '--12-10',
  '1604-12-10',
  '2023-02-29',
  '0000-06-23',
  '19531015T231000Z',
  'https://x.example/a',
  'data:image/png;base64,AA',
  '_$!<Anniversary>!$_',
  '_$!<>!$_',
  'gb',
  'zz',
  '+44 20 7946 0958',
  '"',
  ' ',
  'é',
  '😀',
  '\u0000',
];

const line = fc
  .tuple(
    fc.option(fc.constantFrom('item1.', 'item2.', 'ITEM1.'), { nil: '' }),
    fc.constantFrom(...NAMES),
    fc.constantFrom(...PARAMS),
    fc.array(fc.oneof(fc.constantFrom(...VALUE_PARTS), fc.string({ maxLength: 12 })), { maxLength: 6 }),
  )
  .map(([group, name, params, parts]) => `${group}${name}${params}:${parts.join('')}`);

const cardText = fc
  .tuple(
    fc.constantFrom('3.0', '4.0', '2.1', ''),
    fc.array(line, { maxLength: 14 }),
    fc.constantFrom('\r\n', '\n'),
  )
  .map(([version, lines, eol]) => ['BEGIN:VCARD', `VERSION:${version}`, ...lines, 'END:VCARD', ''].join(eol));

const FIXTURES = ['icloud.vcf', 'google.vcf', 'fastmail.vcf', 'nextcloud.vcf'].map((file) =>
  readFileSync(new URL(`./fixtures/${file}`, import.meta.url), 'utf8'),
);

/** A fixture with some characters deleted, duplicated or replaced, or lines dropped or swapped. */
const mutatedFixture = fc
  .tuple(
    fc.constantFrom(...FIXTURES),
    fc.array(
      fc.tuple(
        fc.nat(),
        fc.constantFrom('delete', 'duplicate', 'replace', 'drop-line', 'swap-lines'),
        fc.string({ maxLength: 3 }),
      ),
      { minLength: 1, maxLength: 6 },
    ),
  )
  .map(([text, edits]) =>
    edits.reduce((current, [at, edit, insert]) => {
      const index = current.length === 0 ? 0 : at % current.length;
      if (edit === 'delete') return current.slice(0, index) + current.slice(index + 1);
      if (edit === 'duplicate') return current.slice(0, index + 1) + current.slice(index);
      if (edit === 'replace') return current.slice(0, index) + insert + current.slice(index + 1);
      const lines = current.split('\n');
      const lineIndex = at % lines.length;
      if (edit === 'drop-line') return lines.filter((_l, i) => i !== lineIndex).join('\n');
      const other = (lineIndex + 1) % lines.length;
      [lines[lineIndex], lines[other]] = [lines[other] ?? '', lines[lineIndex] ?? ''];
      return lines.join('\n');
    }, text),
  );

describe('the vCard parser never crashes', () => {
  it('on any text: one result, well formed', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 400 }),
        fc.option(fc.string({ minLength: 1 })),
        (text, href) => {
          expectWellFormed(parseVCard(text, { href }));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('on cards made of arbitrary properties, parameters and values', () => {
    fc.assert(
      fc.property(cardText, (text) => {
        expectWellFormed(parseVCard(text, { href: '/b/card.vcf' }));
        for (const result of parseVCards(text)) expectWellFormed(result);
      }),
      { numRuns: 500 },
    );
  });

  it('on mutated exports: every card is a result on its own, and the set still collects', () => {
    fc.assert(
      fc.property(mutatedFixture, (text) => {
        const results = parseVCards(text);
        for (const result of results) expectWellFormed(result);
        const { contacts, groups } = collectGroups(results);
        for (const group of groups) expect(CanonicalGroup.safeParse(group).success).toBe(true);
        expect(contacts.length).toBe(results.filter((r) => r.kind === 'contact').length);
      }),
      { numRuns: 300 },
    );
  });

  it('fails one bad card alone: the cards around it are still read', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 40 }).filter(
          // A line that starts with a space or tab continues the one before (folding): not a bad line.
          (s) => !/[:;\r\n]/.test(s) && !/^[ \t]/.test(s) && s.trim() !== '',
        ),
        (garbage) => {
          const good = (uid: string) => `BEGIN:VCARD\nVERSION:3.0\nUID:${uid}\nFN:${uid}\nEND:VCARD\n`;
          const bad = `BEGIN:VCARD\nVERSION:3.0\nUID:bad\n${garbage}\nEND:VCARD\n`;
          const results = parseVCards(good('a') + bad + good('b'));
          expect(results.map((r) => r.kind)).toEqual(['contact', 'failure', 'contact']);
          expect(results[1]).toMatchObject({ kind: 'failure', id: 'bad' });
          expect((results[1] as { message: string }).message).toContain(
            'vCard with UID bad cannot be read at line 9',
          );
        },
      ),
      { numRuns: 100 },
    );
  });
});
