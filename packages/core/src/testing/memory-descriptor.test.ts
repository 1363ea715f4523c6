import { describe, expect, it } from 'vitest';
import { credentialKey } from '../provider/descriptor.js';
import { ProviderRegistry } from '../provider/registry.js';
import { systemClock } from '../util/clock.js';
import { silentLogger } from '../util/logger.js';
import { describeDescriptorConformance } from './descriptor-conformance.js';
import { memoryProviderDescriptor } from './memory-descriptor.js';
import { MemoryAddressBook } from './memory-provider.js';

describeDescriptorConformance('memory', {
  descriptor: memoryProviderDescriptor(),
  validSettings: [{ book: 'home', page_size: 5 }],
});

describe('ProviderRegistry with descriptors', () => {
  it('registers descriptors beside factories, lists them and their secret shapes', async () => {
    const home = new MemoryAddressBook(3);
    const shape = /\bmem_[a-z0-9]{16}\b/g;
    const registry = new ProviderRegistry()
      .register({ ...memoryProviderDescriptor({ books: { home } }), secretShapes: [shape] })
      .register('bare', () => {
        throw new Error('not built here');
      });
    expect(registry.names()).toEqual(['bare', 'memory']);
    expect(registry.descriptor('Memory')?.name).toBe('memory');
    expect(registry.descriptor('bare')).toBeUndefined();
    expect(registry.secretShapes()).toEqual([shape]);
    const descriptor = registry.descriptor('memory')!;
    const provider = await registry.create('memory', {
      accountId: 'home',
      settings: descriptor.settings.parse({}),
      credentials: {},
      logger: silentLogger,
      clock: systemClock,
    });
    const page = await provider.fullSync({});
    expect(page.contacts.map((c) => (c as { external_id: string }).external_id)).toEqual([
      'people/1',
      'people/2',
      'people/3',
    ]);
  });

  it('refuses a descriptor whose name is registered already, or not lower case', () => {
    const registry = new ProviderRegistry().register(memoryProviderDescriptor());
    expect(() => registry.register('MEMORY', () => null as never)).toThrow(/twice/);
    expect(() => new ProviderRegistry().register({ ...memoryProviderDescriptor(), name: 'Memory' })).toThrow(
      /lower case/,
    );
  });

  it('names the default account by the plain key and any other by KEY@account', () => {
    expect(credentialKey('GOOGLE_REFRESH_TOKEN', 'default')).toBe('GOOGLE_REFRESH_TOKEN');
    expect(credentialKey('GOOGLE_REFRESH_TOKEN', 'work')).toBe('GOOGLE_REFRESH_TOKEN@work');
  });
});
