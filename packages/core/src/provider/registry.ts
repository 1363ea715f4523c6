import { CoreError } from '../errors.js';
import type { ContactsProvider } from './contacts-provider.js';
import type { ProviderDescriptor } from './descriptor.js';

/**
 * Builds a provider from its options (credentials, endpoints, settings): the registry's older
 * form, kept for hosts that register a bare factory. A {@link ProviderDescriptor} says more.
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

const keyOf = (name: string) => name.trim().toLowerCase();

/**
 * Which providers a host can start, by name. A host builds one and registers what it supports:
 * {@link ProviderDescriptor}s (what the contacts module uses), or bare factories.
 *
 * @example
 * ```ts
 * const registry = new ProviderRegistry().register(googleProviderDescriptor).register(acmeDescriptor);
 * registry.names(); // ['acme', 'google']
 * registry.descriptor('google')?.credentials.map((c) => c.key); // ['GOOGLE_OAUTH_CLIENT_ID', ...]
 * ```
 */
export class ProviderRegistry {
  readonly #factories = new Map<string, ProviderFactory<never>>();
  readonly #descriptors = new Map<string, ProviderDescriptor<unknown>>();

  /** Adds a descriptor, or a factory under a lower-case name; registering a name twice is a mistake. */
  register<Settings>(descriptor: ProviderDescriptor<Settings>): this;
  register<Options>(name: string, factory: ProviderFactory<Options>): this;
  register(nameOrDescriptor: string | ProviderDescriptor<unknown>, factory?: ProviderFactory<never>): this {
    const descriptor = typeof nameOrDescriptor === 'string' ? null : nameOrDescriptor;
    const key = keyOf(descriptor ? descriptor.name : (nameOrDescriptor as string));
    if (this.#factories.has(key)) throw new Error(`Provider "${key}" is registered twice.`);
    if (descriptor) {
      if (key !== descriptor.name) throw new Error(`Provider name "${descriptor.name}" must be lower case.`);
      this.#descriptors.set(key, descriptor);
      this.#factories.set(key, ((context: never) => descriptor.create(context)) as ProviderFactory<never>);
    } else {
      if (!factory) throw new Error(`Provider "${key}" needs a factory.`);
      this.#factories.set(key, factory);
    }
    return this;
  }

  has(name: string): boolean {
    return this.#factories.has(keyOf(name));
  }

  /** The registered names, sorted. */
  names(): string[] {
    return [...this.#factories.keys()].sort();
  }

  /** The descriptor registered under `name`, or undefined (unknown, or registered as a bare factory). */
  descriptor(name: string): ProviderDescriptor<unknown> | undefined {
    return this.#descriptors.get(keyOf(name));
  }

  /** Every registered descriptor, by name. */
  descriptors(): ProviderDescriptor<unknown>[] {
    return [...this.#descriptors.keys()].sort().map((name) => this.#descriptors.get(name)!);
  }

  /** The secret shapes of every registered descriptor, for a redactor. */
  secretShapes(): RegExp[] {
    return this.descriptors().flatMap((d) => [...(d.secretShapes ?? [])]);
  }

  /** @throws CoreError `UNKNOWN_PROVIDER`, naming the supported providers. */
  async create<Options>(name: string, options: Options): Promise<ContactsProvider> {
    const key = keyOf(name);
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
