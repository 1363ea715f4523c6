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
