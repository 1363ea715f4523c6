import { ProviderError } from '@contacts/core';
import { describeProviderConformance } from '@contacts/core/testing';
import { describe, expect, it } from 'vitest';
import { CardDavContactsProvider } from './carddav-contacts-provider.js';

describeProviderConformance('carddav stub', {
  supportsSync: false,
  setup: async () => ({
    provider: new CardDavContactsProvider({ serverUrl: 'https://dav.example.org/', username: 'ada' }),
  }),
});

describe('CardDavContactsProvider', () => {
  const provider = new CardDavContactsProvider();

  it('is named carddav', () => {
    expect(provider.name()).toBe('carddav');
  });

  it.each([
    ['validateCredentials', () => provider.validateCredentials()],
    ['fullSync', () => provider.fullSync({})],
    ['incrementalSync', () => provider.incrementalSync({ cursor: 'c' })],
    ['listGroups', () => provider.listGroups()],
  ])('fails %s with NOT_SUPPORTED and a sentence saying so', async (operation, call) => {
    const error = await call().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: 'NOT_SUPPORTED', provider: 'carddav', retryable: false });
    expect((error as ProviderError).message).toMatch(/^CardDAV sync is not supported yet/);
    expect((error as ProviderError).message).toContain(operation);
  });

  it('keeps its options without contacting anything', () => {
    expect(new CardDavContactsProvider({ serverUrl: 'https://dav.example.org/' }).options.serverUrl).toBe(
      'https://dav.example.org/',
    );
  });
});
