import { z } from 'zod';
import type { ProviderDescriptor } from '../provider/descriptor.js';
import {
  MemoryAddressBook,
  MemoryContactsProvider,
  type MemoryContactsProviderOptions,
} from './memory-provider.js';

/**
 * The settings of a `memory` source: which address book it reads (default: the one named after
 * its account id) and the page size.
 *
 * @example
 * ```ts
 * const settings: MemorySettings = { book: 'home', page_size: 5 };
 * ```
 */
export interface MemorySettings {
  book?: string;
  page_size: number;
}

const MemorySettingsSchema = z.strictObject({
  book: z.string({ error: 'must be the name of an address book, e.g. "home"' }).min(1).optional(),
  page_size: z
    .number({ error: 'must be a whole number of contacts from 1 to 1000' })
    .int('must be a whole number of contacts from 1 to 1000')
    .min(1, 'must be a whole number of contacts from 1 to 1000')
    .max(1000, 'must be a whole number of contacts from 1 to 1000')
    .default(10),
});

/**
 * Options of {@link memoryProviderDescriptor}.
 *
 * @example
 * ```ts
 * const options: MemoryDescriptorOptions = { books: { default: new MemoryAddressBook(25) }, credentials: [] };
 * ```
 */
export interface MemoryDescriptorOptions {
  /** The address books by name; a name not here gets an empty book, kept for later calls. */
  books?: Record<string, MemoryAddressBook>;
  /** Credential-store keys the descriptor asks for (default none): to test per-account credentials. */
  credentials?: ProviderDescriptor['credentials'];
  /** Passed to every provider built (fault injection, rewrites, listing limits). */
  provider?: Omit<MemoryContactsProviderOptions, 'name' | 'pageSize'>;
  /** Called with every provider built, e.g. to keep them for assertions. */
  onCreate?: (provider: MemoryContactsProvider, accountId: string) => void;
}

/**
 * The reference in-memory provider as a descriptor named `memory`: what a third party's
 * descriptor looks like, and the second provider of the module's multi-source tests.
 *
 * @example
 * ```ts
 * const home = new MemoryAddressBook(25);
 * const registry = new ProviderRegistry().register(memoryProviderDescriptor({ books: { home } }));
 * // butler.toml: [[modules.contacts.sources]] provider = "memory" account_id = "home"
 * ```
 */
export function memoryProviderDescriptor(
  options: MemoryDescriptorOptions = {},
): ProviderDescriptor<MemorySettings> {
  const books = options.books ?? {};
  return {
    name: 'memory',
    displayName: 'Memory',
    settings: MemorySettingsSchema,
    credentials: options.credentials ?? [],
    secretShapes: [],
    connectHint: 'Store them with `contacts secrets set KEY VALUE`.',
    create({ accountId, settings }) {
      const name = settings.book ?? accountId;
      books[name] ??= new MemoryAddressBook(0);
      const provider = new MemoryContactsProvider(books[name], {
        ...options.provider,
        name: 'memory',
        pageSize: settings.page_size,
      });
      options.onCreate?.(provider, accountId);
      return provider;
    },
  };
}
