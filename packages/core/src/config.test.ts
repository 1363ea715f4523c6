import { describe, expect, it } from 'vitest';
import { ContactsConfig, parseContactsConfig } from './config.js';
import { CoreError } from './errors.js';

function configError(input: unknown): CoreError {
  try {
    parseContactsConfig(input);
  } catch (error) {
    expect(error).toBeInstanceOf(CoreError);
    expect((error as CoreError).code).toBe('INVALID_CONFIG');
    return error as CoreError;
  }
  throw new Error('expected the config to be refused');
}

describe('ContactsConfig', () => {
  it('trims and lower-cases the provider and applies every default', () => {
    expect(parseContactsConfig({ provider: '  Google ' })).toEqual({
      provider: 'google',
      account_id: 'default',
      include_other_contacts: false,
      sync: {
        enabled: true,
        run_on_startup: true,
        interval_minutes: 15,
        full_sync_interval_days: 6,
        deletion_guard_percent: 20,
        deletion_guard_min_contacts: 25,
      },
    });
  });

  it('fills sync defaults around the keys given', () => {
    const config = ContactsConfig.parse({ provider: 'google', sync: { enabled: false } });
    expect(config.sync).toEqual({
      enabled: false,
      run_on_startup: true,
      interval_minutes: 15,
      full_sync_interval_days: 6,
      deletion_guard_percent: 20,
      deletion_guard_min_contacts: 25,
    });
  });

  it('takes the deletion guard of [modules.contacts.sync] (issue 11, defect 2)', () => {
    const config = parseContactsConfig({
      provider: 'google',
      sync: { deletion_guard_percent: 50, deletion_guard_min_contacts: 100 },
    });
    expect(config.sync).toMatchObject({ deletion_guard_percent: 50, deletion_guard_min_contacts: 100 });
  });

  it('keeps explicit values and trims the account id', () => {
    const config = parseContactsConfig({
      provider: 'google',
      account_id: ' ada@example.org ',
      include_other_contacts: true,
      sync: { run_on_startup: false, interval_minutes: 60, full_sync_interval_days: 2 },
    });
    expect(config).toMatchObject({
      account_id: 'ada@example.org',
      include_other_contacts: true,
      sync: { run_on_startup: false, interval_minutes: 60, full_sync_interval_days: 2 },
    });
  });

  it.each([
    [{ provider: 'google', colour: 'red' }, 'modules.contacts.colour is not a known key'],
    [{ provider: 'google', sync: { interval: 5 } }, 'modules.contacts.sync.interval is not a known key'],
  ])('refuses an unknown key, naming it and the keys its table takes: %j', (input, start) => {
    const message = configError(input).message;
    expect(message).toContain(start);
    expect(message).toMatch(/takes .*(provider|interval_minutes)/);
  });

  it.each([
    [{ provider: 'google', sync: { interval_minutes: 0 } }, 'sync.interval_minutes', 'from 1 to 1440', '0'],
    [{ provider: 'google', sync: { interval_minutes: 1.5 } }, 'sync.interval_minutes', 'whole number', '1.5'],
    [
      { provider: 'google', sync: { interval_minutes: 24 * 60 + 1 } },
      'sync.interval_minutes',
      'to 1440',
      '1441',
    ],
    [
      { provider: 'google', sync: { interval_minutes: Number.NaN } },
      'sync.interval_minutes',
      'minutes',
      'nan',
    ],
    [{ provider: 'google', sync: { interval_minutes: '15' } }, 'sync.interval_minutes', 'minutes', '"15"'],
    [
      { provider: 'google', sync: { full_sync_interval_days: 0 } },
      'sync.full_sync_interval_days',
      'days',
      '0',
    ],
    [
      { provider: 'google', sync: { full_sync_interval_days: 31 } },
      'sync.full_sync_interval_days',
      'to 30',
      '31',
    ],
    [{ provider: 'google', sync: { enabled: 'yes' } }, 'sync.enabled', 'true or false', '"yes"'],
    [
      { provider: 'google', sync: { deletion_guard_percent: 0 } },
      'sync.deletion_guard_percent',
      'whole number of percent from 1 to 100',
      '0',
    ],
    [
      { provider: 'google', sync: { deletion_guard_percent: 12.5 } },
      'sync.deletion_guard_percent',
      'whole number',
      '12.5',
    ],
    [
      { provider: 'google', sync: { deletion_guard_percent: '20%' } },
      'sync.deletion_guard_percent',
      'percent',
      '"20%"',
    ],
    [
      { provider: 'google', sync: { deletion_guard_min_contacts: 0 } },
      'sync.deletion_guard_min_contacts',
      'whole number of contacts from 1 to 1000000',
      '0',
    ],
    [{ provider: 'google', sync: 5 }, 'sync', 'must be a table', '5'],
    [{ provider: 'google', include_other_contacts: 'no' }, 'include_other_contacts', 'true or false', '"no"'],
    [{ provider: 'google', account_id: '   ' }, 'account_id', 'must not be empty', '"   "'],
    [
      { provider: 'google', account_id: 'a'.repeat(201) },
      'account_id',
      'at most 200',
      `"${'a'.repeat(40)}…" (201 characters)`,
    ],
    // Issue 11: a NUL reached the database, which refused it with a raw encoding error.
    [{ provider: 'google', account_id: 'a\u0000b' }, 'account_id', 'U+0000 at character 2', '"a\\u0000b"'],
    [
      { provider: 'google', account_id: 'work\u001b[2J' },
      'account_id',
      'control characters (U+001B',
      '"work\\u001b[2J"',
    ],
    [
      { provider: 'google', account_id: 'in\u009bside' },
      'account_id',
      'control characters (U+009B',
      '"in\u009bside"',
    ],
    [
      { provider: 'google', account_id: 'two\nlines' },
      'account_id',
      'control characters (U+000A',
      '"two\\nlines"',
    ],
    [
      { provider: 'google', account_id: 'half \ud83d emoji' },
      'account_id',
      'well-formed Unicode',
      '"half \\ud83d emoji"',
    ],
    [{ provider: '   ' }, 'provider', 'must not be empty', '"   "'],
    [{ provider: 5 }, 'provider', 'as a string', '5'],
    [{}, 'provider', 'is required', null],
  ])(
    'refuses a bad value, naming the key path, what it expects and what it got: %j',
    (input, key, expects, got) => {
      const message = configError(input).message;
      expect(message).toMatch(/^Invalid \[modules\.contacts\] config: /);
      expect(message).toContain(`modules.contacts.${key} `);
      expect(message).toContain(expects);
      if (got === null) expect(message).not.toContain('(got');
      else expect(message).toContain(`got ${got}`);
    },
  );

  it('names every bad key at once', () => {
    const message = configError({
      provider: 'google',
      sync: { interval_minutes: 0, full_sync_interval_days: 0 },
    }).message;
    expect(message).toContain('modules.contacts.sync.interval_minutes');
    expect(message).toContain('modules.contacts.sync.full_sync_interval_days');
  });

  it('treats a missing table as empty (and so names the missing provider), and refuses a non-table', () => {
    expect(configError(undefined).message).toContain('modules.contacts.provider is required');
    expect(configError('google').message).toContain('modules.contacts must be a table');
  });
});

describe('[[modules.contacts.sources]]', () => {
  it('keeps each table as written, normalising provider and account_id', () => {
    const config = parseContactsConfig({
      provider: 'google',
      sources: [
        { provider: ' Google ', account_id: ' work ', include_other_contacts: true },
        { provider: 'memory', book: 'home' },
      ],
    });
    expect(config.sources).toEqual([
      { provider: 'google', account_id: 'work', include_other_contacts: true },
      { provider: 'memory', account_id: 'default', book: 'home' },
    ]);
  });

  it('refuses two tables naming one account, by key path with the index in brackets', () => {
    const message = configError({
      provider: 'google',
      sources: [{ provider: 'memory' }, { provider: 'google', account_id: 'default' }],
    }).message;
    expect(message).toContain(
      'modules.contacts.sources[1].account_id must be unique per provider: modules.contacts already syncs google account "default"',
    );
  });

  it('names a bad generic key of a source table by its path', () => {
    const message = configError({
      provider: 'google',
      sources: [{ provider: 'memory' }, { provider: 5 }],
    }).message;
    expect(message).toContain('modules.contacts.sources[1].provider must be the name of a provider');
    expect(configError({ provider: 'google', sources: {} }).message).toContain(
      'modules.contacts.sources must be an array of tables',
    );
  });
});

describe('[modules.contacts] with only [[modules.contacts.sources]] tables', () => {
  it('takes the tables alone as the sources: no top-level provider, the first table is the first source', () => {
    const config = parseContactsConfig({
      sync: { interval_minutes: 30 },
      sources: [
        { provider: 'Google', account_id: 'work' },
        { provider: 'memory', account_id: 'family', book: 'home' },
      ],
    });
    expect(config.sources_only).toBe(true);
    // The top-level provider and account are the first table's (as a module's `config` is).
    expect(config).toMatchObject({ provider: 'google', account_id: 'work', include_other_contacts: false });
    expect(config.sync.interval_minutes).toBe(30);
    expect(config.sources).toEqual([
      { provider: 'google', account_id: 'work' },
      { provider: 'memory', account_id: 'family', book: 'home' },
    ]);
    // The spec form is still one source, account default, and not "sources only".
    expect(parseContactsConfig({ provider: 'google' }).sources_only).toBeUndefined();
  });

  it('still checks each account once, and refuses top-level keys that belong to the missing provider', () => {
    expect(
      configError({ sources: [{ provider: 'google' }, { provider: 'google', account_id: 'default' }] })
        .message,
    ).toContain(
      'modules.contacts.sources[1].account_id must be unique per provider: modules.contacts.sources[0] already syncs google account "default"',
    );
    for (const [key, value] of [
      ['account_id', 'work'],
      ['include_other_contacts', true],
    ] as const) {
      expect(configError({ [key]: value, sources: [{ provider: 'google' }] }).message).toContain(
        `modules.contacts.${key} belongs to the source provider names`,
      );
    }
    expect(configError({ sources: [] }).message).toContain('modules.contacts.provider is required');
  });
});
