import { describeDatabase } from '@contacts/schema/testing';
import { describe, expect, it } from 'vitest';
import { parseCanonicalContact } from '../model/parse-contact.js';
import { readContacts } from './crm-snapshot.test-support.js';
import { toDesiredContact } from './desired-contact.js';
import { testEngine } from './engine.test-support.js';
import { addressKey, dateKey, infoKey, parseInfoKey } from './row-keys.js';

/**
 * The keys stored in provenance are data: a contact synced by an earlier release is judged by
 * them. Every expectation here is a literal string, so a change of format fails this file and
 * needs a migration of `shared.contacts.metadata`, not an edit of the expectation.
 */

/** One contact with every kind of keyed row. */
const ada = {
  external_id: 'people/c1',
  etag: 'e1',
  display_name: 'Ada Lovelace',
  emails: [{ value: ' Ada@Example.org ', primary: true }],
  phones: [{ value: '(303) 828-8765', e164: '+13038288765' }],
  urls: [{ value: 'https://Example.org/Ada' }],
  usernames: [{ service: 'Matrix', value: '@Ada:example.org' }],
  addresses: [
    {
      street: '1 Main St',
      extended: 'Flat 2',
      city: 'Springfield',
      region: 'IL',
      postal_code: '62701',
      country_code: 'us',
    },
  ],
  birthdays: [{ month: 12, day: 10, year: 1815 }],
  anniversaries: [{ month: 7, day: 8, type: 'Wedding' }],
  group_memberships: ['g/1'],
};
const groups = new Map([['g/1', { name: 'Climbing club', system: false }]]);

describe('row keys', () => {
  it('builds the stored form of each key', () => {
    expect(infoKey('email', 'ada@example.org')).toBe('email|ada@example.org');
    expect(infoKey('phone', '+13038288765')).toBe('phone|+13038288765');
    expect(infoKey('website', 'https://example.org/ada')).toBe('website|https://example.org/ada');
    expect(infoKey('username', 'matrix:@ada:example.org')).toBe('username|matrix:@ada:example.org');
    expect(
      addressKey({
        line_1: '1 Main St',
        line_2: null,
        city: 'Springfield',
        province: null,
        postal_code: null,
        country: 'US',
      }),
    ).toBe('1 main st||springfield|||us');
    expect(dateKey('birthday', 12, 10)).toBe('birthday|12|10');
  });

  it('parses an info key at its first bar, so a value may hold more', () => {
    expect(parseInfoKey('phone|+13038288765')).toEqual({ type: 'phone', normalized: '+13038288765' });
    expect(parseInfoKey('username|irc:a|b')).toEqual({ type: 'username', normalized: 'irc:a|b' });
    expect(parseInfoKey('email|')).toEqual({ type: 'email', normalized: '' });
    expect(parseInfoKey('no bar')).toEqual({ type: '', normalized: 'no bar' });
    expect(parseInfoKey(infoKey('email', 'a|b@example.org'))).toEqual({
      type: 'email',
      normalized: 'a|b@example.org',
    });
  });

  it('keys a source contact as provenance stores it', () => {
    const desired = toDesiredContact(parseCanonicalContact(ada), groups);
    expect(desired.info.map((i) => i.key)).toEqual([
      'email|ada@example.org',
      'phone|+13038288765',
      'website|https://example.org/ada',
      'username|matrix:@ada:example.org',
    ]);
    expect(desired.addresses.map((a) => a.key)).toEqual(['1 main st|flat 2|springfield|il|62701|us']);
    expect(desired.dates.map((d) => d.key)).toEqual(['birthday|12|10', 'wedding|7|8']);
    expect(desired.labels).toEqual(['Climbing club']);
  });
});

describeDatabase('row keys in shared.contacts.metadata', (t) => {
  it('stores the literal keys, and a contact read back from its rows is unchanged by the same page', async () => {
    const engine = () =>
      testEngine(t, {
        groups: [{ external_id: 'g/1', name: 'Climbing club', system: false, deleted: false }],
      });
    await engine().applyBatch([ada]);
    const [contact] = await readContacts(t.db, t.butlerSchema);
    expect(contact?.metadata).toMatchObject({
      sources: {
        'google:default': {
          'people/c1': {
            info: [
              'email|ada@example.org',
              'phone|+13038288765',
              'website|https://example.org/ada',
              'username|matrix:@ada:example.org',
            ],
          },
        },
      },
      butler_sources: {
        [t.butlerSchema]: {
          'google:default': {
            'people/c1': {
              addresses: ['1 main st|flat 2|springfield|il|62701|us'],
              dates: ['birthday|12|10', 'wedding|7|8'],
              labels: ['Climbing club'],
            },
          },
        },
      },
    });
    // The keys built from the stored rows (loadContactStates) equal the source's: a changed
    // etag with the same rows changes nothing in them.
    const again = await engine().applyBatch([{ ...ada, etag: 'e2' }]);
    expect(again).toMatchObject({ applied: 1, created: 0, updated: 0 });
    const [after] = await readContacts(t.db, t.butlerSchema);
    expect(after?.info).toEqual(contact?.info);
    expect(after?.addresses).toEqual(contact?.addresses);
    expect(after?.dates).toEqual(contact?.dates);
  });
});
