import { describe, expect, it } from 'vitest';
import { contactsConfigSchema, type ParseContactsConfigOptions, parseContactsConfig } from './config.js';
import { CoreError } from './errors.js';

/** As the module's registry answers: CardDAV takes url and books, Google its one core-parsed key. */
const registry: ParseContactsConfigOptions = {
  providerSettingKeys: (name) =>
    ({ carddav: ['url', 'books'], google: ['include_other_contacts'] })[name] ?? undefined,
};

const refusal = (input: unknown, options: ParseContactsConfigOptions = registry): string => {
  try {
    parseContactsConfig(input, options);
  } catch (error) {
    expect(error).toMatchObject({ code: 'INVALID_CONFIG' });
    expect(error).toBeInstanceOf(CoreError);
    return (error as CoreError).message;
  }
  throw new Error('expected the config to be refused');
};

// Issue 13: `provider = "carddav"` with its url (and books) at the top of [modules.contacts], as
// a [[modules.contacts.sources]] table takes them.
describe('a provider’s own settings at the top of [modules.contacts]', () => {
  it('keeps them as written in provider_settings when provider names that provider', () => {
    const config = parseContactsConfig(
      { provider: ' CardDAV ', url: 'https://contacts.icloud.com/', books: ['Contacts'] },
      registry,
    );
    expect(config).toMatchObject({ provider: 'carddav', account_id: 'default' });
    expect(config.provider_settings).toEqual({ url: 'https://contacts.icloud.com/', books: ['Contacts'] });
    expect(config).not.toHaveProperty('url');
  });

  it('refuses an unknown key, naming the keys the provider adds to the table', () => {
    const message = refusal({ provider: 'carddav', urll: 'https://contacts.icloud.com/' });
    expect(message).toContain(
      'modules.contacts.urll is not a known key (modules.contacts takes provider, account_id, include_other_contacts, sync, sources, url, books): remove it or fix its spelling',
    );
  });

  it('refuses another provider’s settings, and any without the registry’s keys', () => {
    expect(refusal({ provider: 'google', url: 'https://x.example/' })).toContain(
      'modules.contacts.url is not a known key (modules.contacts takes provider, account_id, include_other_contacts, sync, sources)',
    );
    expect(refusal({ provider: 'carddav', url: 'https://x.example/' }, {})).toContain(
      'modules.contacts.url is not a known key',
    );
    // Without provider the tables are the sources: a url at the top would name none of them.
    expect(refusal({ url: 'https://x.example/', sources: [{ provider: 'carddav' }] })).toContain(
      'modules.contacts.url is not a known key',
    );
  });

  it('gives back what it parsed when given it again (a host passes the module a parsed config)', () => {
    for (const input of [
      { provider: 'carddav', url: 'https://contacts.icloud.com/' },
      { sources: [{ provider: 'carddav', account_id: 'family', url: 'https://carddav.fastmail.com/' }] },
      {
        provider: 'google',
        include_other_contacts: true,
        sources: [{ provider: 'google', account_id: 'work' }],
      },
    ]) {
      const once = parseContactsConfig(input, registry);
      expect(parseContactsConfig(once, registry)).toEqual(once);
    }
  });

  it('is what contactsConfigSchema accepts and refuses', () => {
    const schema = contactsConfigSchema(registry);
    expect(
      schema.parse({ provider: 'carddav', url: 'https://carddav.fastmail.com/' }).provider_settings,
    ).toEqual({
      url: 'https://carddav.fastmail.com/',
    });
    const refused = schema.safeParse({ provider: 'carddav', sync: { interval_minutes: 0 }, colour: 'red' });
    expect(refused.success).toBe(false);
    expect(refused.error?.issues.map((i) => i.path.join('.')).sort()).toEqual(['', 'sync.interval_minutes']);
  });
});
