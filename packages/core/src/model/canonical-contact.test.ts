import { describe, expect, it } from 'vitest';
import { CoreError } from '../errors.js';
import { CanonicalContact, CanonicalGroup } from './canonical-contact.js';
import { ContactBatch } from './contact-batch.js';
import { describeContact, parseCanonicalContact } from './parse-contact.js';

function parseError(input: unknown): CoreError {
  try {
    parseCanonicalContact(input);
  } catch (error) {
    expect(error).toBeInstanceOf(CoreError);
    return error as CoreError;
  }
  throw new Error('expected the contact to be refused');
}

describe('CanonicalContact', () => {
  it('maps every field of a provider payload and applies defaults', () => {
    const contact = parseCanonicalContact({
      external_id: 'people/c12345',
      etag: '%EgUBAi43PRoEAQIFByIMR0xwc',
      display_name: 'Ada Lovelace',
      first_name: 'Ada',
      middle_name: 'King',
      last_name: 'Lovelace',
      nickname: 'Countess',
      emails: [{ value: 'ada@example.org', type: 'home', primary: true }],
      phones: [{ value: '(303) 828-8765', e164: '+13038288765', type: 'mobile' }],
      addresses: [{ street: '1 Main St', city: 'Springfield', country: 'United States', country_code: 'US' }],
      organizations: [{ name: 'Analytical Engines', title: 'Programmer', current: true }],
      birthdays: [{ month: 12, day: 10, year: 1815 }],
      anniversaries: [{ month: 7, day: 8, type: 'wedding' }, { text: 'some spring' }],
      urls: [{ value: 'https://example.org/ada', type: 'homePage' }],
      usernames: [{ service: 'matrix', value: '@ada:example.org' }],
      photos: [{ url: 'https://example.org/ada.jpg', primary: true }],
      group_memberships: ['contactGroups/7f3a'],
      previous_external_ids: ['people/c1'],
      raw: { resourceName: 'people/c12345' },
    });
    expect(contact).toMatchObject({
      external_id: 'people/c12345',
      etag: '%EgUBAi43PRoEAQIFByIMR0xwc',
      deleted: false,
      phones: [{ value: '(303) 828-8765', e164: '+13038288765', type: 'mobile', primary: false }],
      photos: [{ url: 'https://example.org/ada.jpg', primary: true, is_default: false }],
      previous_external_ids: ['people/c1'],
      raw: { resourceName: 'people/c12345' },
    });
    expect(contact.anniversaries).toHaveLength(2);
  });

  it('accepts a bare tombstone and fills every list with []', () => {
    const tombstone = CanonicalContact.parse({ external_id: 'people/c9', deleted: true });
    expect(tombstone).toMatchObject({ deleted: true, emails: [], phones: [], group_memberships: [] });
  });

  it('names the contact and the field when a payload is invalid', () => {
    const error = parseError({ external_id: 'people/c7', emails: [{ value: '' }] });
    expect(error.code).toBe('INVALID_CONTACT');
    expect(error.message).toContain('people/c7');
    expect(error.message).toContain('emails.0.value');
    expect(error.cause).toBeDefined();
  });

  it('names a month out of range', () => {
    const error = parseError({ external_id: 'people/c8', birthdays: [{ month: 13, day: 1 }] });
    expect(error.message).toMatch(/people\/c8.*birthdays\.0\.month/);
  });

  it('refuses a date with neither month and day nor text', () => {
    expect(parseError({ external_id: 'people/c8', anniversaries: [{ year: 1990 }] }).message).toMatch(
      /anniversaries\.0: a date needs a month and a day/,
    );
  });

  it('says a payload without an external id has none, and names the field', () => {
    const error = parseError({ display_name: 'Nobody' });
    expect(error.message).toContain('(without external_id)');
    expect(error.message).toContain('external_id');
    expect(parseError(null).message).toContain('(without external_id)');
    expect(describeContact('people/c1')).toBe('(without external_id)');
  });

  it('names every bad field at once', () => {
    const error = parseError({
      external_id: 'people/c3',
      phones: [{ value: '' }],
      usernames: [{ service: 'skype' }],
    });
    expect(error.message).toContain('phones.0.value');
    expect(error.message).toContain('usernames.0.value');
  });
});

describe('CanonicalContact against hostile values', () => {
  it('refuses a day the month does not have, and accepts a leap day without a year', () => {
    expect(parseError({ external_id: 'people/c9', birthdays: [{ month: 2, day: 30 }] }).message).toBe(
      'Contact people/c9 is invalid: birthdays.0: February 30 is not a calendar date',
    );
    expect(
      parseError({ external_id: 'people/c9', anniversaries: [{ year: 2023, month: 2, day: 29 }] }).message,
    ).toContain('anniversaries.0: February 29, 2023 is not a calendar date');
    expect(parseError({ external_id: 'people/c9', birthdays: [{ month: 4, day: 31 }] }).message).toContain(
      'April 31',
    );
    for (const date of [
      { month: 2, day: 29 },
      { year: 2000, month: 2, day: 29 },
      { month: 12, day: 31 },
    ]) {
      expect(() => parseCanonicalContact({ external_id: 'people/c9', birthdays: [date] })).not.toThrow();
    }
  });

  it('refuses a value over 10,000 characters, naming the field and the size', () => {
    const error = parseError({
      external_id: 'people/c10',
      emails: [{ value: `${'x'.repeat(20_000)}@example.org` }],
    });
    expect(error.message).toBe(
      'Contact people/c10 is invalid: emails.0.value: too long: 20,012 characters (at most 10,000)',
    );
    expect(() =>
      parseCanonicalContact({ external_id: 'people/c10', first_name: 'x'.repeat(2_000) }),
    ).not.toThrow();
  });

  it("reports the provider's problems alone, in its own words", () => {
    const error = parseError({
      external_id: '',
      source_problems: [
        'resourceName is missing, so the person cannot be identified',
        'names is the number 1, not a list',
      ],
    });
    expect(error.message).toBe(
      'Contact (without external_id) is invalid: resourceName is missing, so the person cannot be identified; names is the number 1, not a list',
    );
    // Also refused by the schema itself, for code that parses without parseCanonicalContact.
    expect(CanonicalContact.safeParse({ external_id: 'people/c1', source_problems: ['x'] }).success).toBe(
      false,
    );
    expect(CanonicalContact.parse({ external_id: 'people/c1', source_problems: [] }).external_id).toBe(
      'people/c1',
    );
  });

  it('refuses an id that is empty once its NUL characters are dropped', () => {
    expect(parseError({ external_id: '\u0000\u0000' }).message).toContain(
      'external_id: holds nothing but NUL characters',
    );
  });

  it('names a contact with a huge id by its beginning and length, cut between characters', () => {
    const id = `people/${'😀'.repeat(5000)}`;
    const shown = describeContact({ external_id: id });
    expect(shown).toMatch(/^people\/(😀)+… \(10,007 characters\)$/u);
    expect(shown.length).toBeLessThan(120);
    expect(parseError({ external_id: id }).message).toContain(
      'external_id: too long: 10,007 characters (at most 1,024)',
    );
  });
});

describe('CanonicalGroup and ContactBatch', () => {
  it('defaults a group to a live user group', () => {
    expect(CanonicalGroup.parse({ external_id: 'contactGroups/1', name: 'Family' })).toEqual({
      external_id: 'contactGroups/1',
      name: 'Family',
      system: false,
      deleted: false,
    });
  });

  it('keeps contacts of a page unvalidated so one bad contact cannot fail its page', () => {
    const page = ContactBatch.parse({ contacts: [{ nonsense: true }, { external_id: 'people/c1' }] });
    expect(page.contacts).toHaveLength(2);
    expect(page.groups).toEqual([]);
  });
});
