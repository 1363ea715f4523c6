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
      sync: { enabled: true, run_on_startup: true, interval_minutes: 15, full_sync_interval_days: 6 },
    });
  });

  it('fills sync defaults around the keys given', () => {
    const config = ContactsConfig.parse({ provider: 'google', sync: { enabled: false } });
    expect(config.sync).toEqual({
      enabled: false,
      run_on_startup: true,
      interval_minutes: 15,
      full_sync_interval_days: 6,
    });
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
    [{ provider: 'google', colour: 'red' }, /colour/],
    [{ provider: 'google', sync: { interval: 5 } }, /sync.*interval/],
  ])('refuses an unknown key, naming it: %j', (input, pattern) => {
    expect(configError(input).message).toMatch(pattern);
  });

  it.each([
    [{ provider: 'google', sync: { interval_minutes: 0 } }, 'sync.interval_minutes'],
    [{ provider: 'google', sync: { interval_minutes: 1.5 } }, 'sync.interval_minutes'],
    [{ provider: 'google', sync: { interval_minutes: 24 * 60 + 1 } }, 'sync.interval_minutes'],
    [{ provider: 'google', sync: { full_sync_interval_days: 0 } }, 'sync.full_sync_interval_days'],
    [{ provider: 'google', sync: { full_sync_interval_days: 31 } }, 'sync.full_sync_interval_days'],
    [{ provider: 'google', sync: { enabled: 'yes' } }, 'sync.enabled'],
    [{ provider: 'google', include_other_contacts: 'no' }, 'include_other_contacts'],
    [{ provider: 'google', account_id: '   ' }, 'account_id'],
    [{ provider: '   ' }, 'provider'],
    [{}, 'provider'],
  ])('refuses a bad value, naming the key: %j', (input, key) => {
    const message = configError(input).message;
    expect(message).toContain('[modules.contacts]');
    expect(message).toContain(`${key}:`);
  });

  it('treats a missing table as empty (and so names the missing provider)', () => {
    expect(configError(undefined).message).toContain('provider:');
  });
});
