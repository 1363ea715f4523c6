import { describe, expect, it } from 'vitest';
import { CoreError } from '../errors.js';
import type { CanonicalGroup } from '../model/canonical-contact.js';
import type { ContactBatch } from '../model/contact-batch.js';
import { ContactsProvider } from './contacts-provider.js';
import { ProviderError, toProviderError } from './provider-error.js';
import { ProviderRegistry } from './registry.js';

class NullProvider extends ContactsProvider {
  name() {
    return 'null';
  }
  async validateCredentials() {}
  async fullSync(): Promise<ContactBatch> {
    return { contacts: [], next_sync_cursor: 'c' };
  }
  async incrementalSync(): Promise<ContactBatch> {
    return { contacts: [] };
  }
  async listGroups(): Promise<CanonicalGroup[]> {
    return [];
  }
}

describe('ProviderError', () => {
  it('keeps code, cause and retry hint; says which codes may be retried', () => {
    const cause = new Error('429');
    const error = new ProviderError('RATE_LIMITED', 'Slow down.', {
      cause,
      retryAfterMs: 500,
      provider: 'x',
    });
    expect(error).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 500, provider: 'x', cause });
    expect(error.retryable).toBe(true);
    expect(new ProviderError('AUTH_FAILED', 'x').retryable).toBe(false);
    expect(new ProviderError('PERMANENT', 'x').retryable).toBe(false);
  });

  it('turns an unknown failure into TEMPORARY, never into a fatal one', () => {
    const original = new TypeError('socket hang up');
    const error = toProviderError(original, 'google');
    expect(error).toMatchObject({ code: 'TEMPORARY', provider: 'google', cause: original });
    expect(error.message).toContain('socket hang up');
    const same = new ProviderError('CURSOR_EXPIRED', 'gone');
    expect(toProviderError(same)).toBe(same);
    expect(toProviderError('a string').code).toBe('TEMPORARY');
  });
});

describe('ProviderRegistry', () => {
  it('creates a registered provider by a case-insensitive name', async () => {
    const registry = new ProviderRegistry().register('Null', () => new NullProvider());
    expect(registry.names()).toEqual(['null']);
    expect(registry.has(' NULL ')).toBe(true);
    const provider = await registry.create('null', {});
    expect(provider.name()).toBe('null');
    await provider.close();
  });

  it('refuses an unknown provider, listing the supported ones', async () => {
    const registry = new ProviderRegistry().register('google', () => new NullProvider());
    const error = await registry.create('carddav', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CoreError);
    expect(error).toMatchObject({ code: 'UNKNOWN_PROVIDER' });
    expect((error as Error).message).toMatch(/carddav.*Supported providers: google/);
  });

  it('refuses a name registered twice', () => {
    const registry = new ProviderRegistry().register('google', () => new NullProvider());
    expect(() => registry.register('Google', () => new NullProvider())).toThrow(/twice/);
  });
});
