import { CoreError } from '../errors.js';
import type { ContactsProvider } from './contacts-provider.js';

/**
 * Builds a provider from its options (credentials, endpoints, settings).
 *
 * @example
 * ```ts
 * const memory: ProviderFactory<{ count: number }> = ({ count }) => new MemoryContactsProvider(new MemoryAddressBook(count));
 * new ProviderRegistry().register('memory', memory);
 * ```
 */
export type ProviderFactory<Options = unknown> = (
  options: Options,
) => ContactsProvider | Promise<ContactsProvider>;

/**
 * Which providers a host can start, by name. A host builds one and registers what it supports.
 *
 * @example
 * ```ts
 * const registry = new ProviderRegistry().register('google', (o) => new GoogleContactsProvider(o));
 * registry.names(); // ['google']
 * const provider = await registry.create('google', options);
 * ```
 */
export class ProviderRegistry {
  readonly #factories = new Map<string, ProviderFactory<never>>();

  /** Adds a provider under a lower-case name; registering a name twice is a mistake. */
  register<Options>(name: string, factory: ProviderFactory<Options>): this {
    const key = name.trim().toLowerCase();
    if (this.#factories.has(key)) throw new Error(`Provider "${key}" is registered twice.`);
    this.#factories.set(key, factory as ProviderFactory<never>);
    return this;
  }

  has(name: string): boolean {
    return this.#factories.has(name.trim().toLowerCase());
  }

  /** The registered names, sorted. */
  names(): string[] {
    return [...this.#factories.keys()].sort();
  }

  /** @throws CoreError `UNKNOWN_PROVIDER`, naming the supported providers. */
  async create<Options>(name: string, options: Options): Promise<ContactsProvider> {
    const key = name.trim().toLowerCase();
    const factory = this.#factories.get(key) as ProviderFactory<Options> | undefined;
    if (!factory) {
      throw new CoreError(
        'UNKNOWN_PROVIDER',
        `Unsupported contacts provider "${key}". Supported providers: ${this.names().join(', ') || '(none)'}.`,
      );
    }
    return factory(options);
  }
}
