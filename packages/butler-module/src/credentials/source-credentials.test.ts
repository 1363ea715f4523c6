import { memoryProviderDescriptor } from '@contacts/core/testing';
import { googleProviderDescriptor } from '@contacts/provider-google';
import { describe, expect, it } from 'vitest';
import { credentialOwner } from './source-credentials.js';

describe('credentialOwner', () => {
  // A third party's descriptor with keys of its own, next to Google's.
  const acme = {
    ...memoryProviderDescriptor({
      credentials: [{ key: 'ACME_API_TOKEN', field: 'token', explain: 'the Acme API token' }],
    }),
    name: 'acme',
  };
  const descriptors = [googleProviderDescriptor, acme];
  const owner = (key: string) => credentialOwner(descriptors, key)?.name;

  it('finds the provider a descriptor declares the key for, as the default account’s or as KEY@account', () => {
    expect(owner('GOOGLE_REFRESH_TOKEN')).toBe('google');
    expect(owner('GOOGLE_OAUTH_CLIENT_ID@work')).toBe('google');
    expect(owner('ACME_API_TOKEN')).toBe('acme');
    expect(owner('ACME_API_TOKEN@home')).toBe('acme');
  });

  it('owns no key a descriptor does not declare, whatever its prefix', () => {
    expect(owner('GOOGLE_CALENDAR_API_KEY')).toBeUndefined();
    expect(owner('GOOGLE_REFRESH_TOKENS')).toBeUndefined();
    expect(owner('ACME_API_TOKEN@')).toBeUndefined();
    // The default account's keys carry no suffix: `@default` is not a key the module reads.
    expect(owner('GOOGLE_REFRESH_TOKEN@default')).toBeUndefined();
    expect(owner('SMTP_PASSWORD')).toBeUndefined();
    expect(credentialOwner([], 'GOOGLE_REFRESH_TOKEN')).toBeUndefined();
  });
});
