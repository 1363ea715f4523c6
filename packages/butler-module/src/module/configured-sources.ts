import {
  type ContactsConfig,
  formatSettingsIssues,
  type ParseContactsConfigOptions,
  type ProviderDescriptor,
  type ProviderRegistry,
} from '@contacts/core';
import { ContactsModuleError } from '../errors.js';
import { unsupportedProviderError } from './supported-providers.js';

/**
 * One address-book account the butler syncs: the spec form's `[modules.contacts]` (account
 * `default` unless it says otherwise), or a `[[modules.contacts.sources]]` table.
 *
 * @example
 * ```ts
 * const [first]: ConfiguredSource[] = configuredSources(config, registry);
 * first.config.provider; // 'google'
 * ```
 */
export interface ConfiguredSource {
  descriptor: ProviderDescriptor;
  provider: string;
  accountId: string;
  /** The provider's settings, parsed by its descriptor. */
  settings: unknown;
  /** The source as the runtime and the tools see it: provider, account and the butler's schedule. */
  config: ContactsConfig;
  /** Where it is configured (`modules.contacts`, `modules.contacts.sources[1]`). */
  where: string;
}

const GENERIC_KEYS = new Set(['provider', 'account_id']);

/**
 * Every source of a parsed `[modules.contacts]`, each provider looked up in `registry` and its
 * settings validated by the provider's descriptor. `overrides` (by provider: the settings a
 * command line or the environment gives) fill what a source's table leaves out.
 *
 * @throws ContactsModuleError `UNSUPPORTED_PROVIDER` naming the key path and the registered
 *   providers; `INVALID_CONFIG` naming every bad setting by its key path
 *   (`modules.contacts.sources[1].root_url must be ...`).
 * @example
 * ```ts
 * const sources = configuredSources(parseContactsConfig(toml.modules.contacts), registry);
 * sources.map((s) => `${s.provider}:${s.accountId}`); // ['google:default', 'google:work']
 * ```
 */
export function configuredSources(
  config: ContactsConfig,
  registry: ProviderRegistry,
  overrides: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {},
  where = '',
): ConfiguredSource[] {
  const tables: {
    provider: string;
    accountId: string;
    raw: Record<string, unknown>;
    path: string;
    spec: boolean;
  }[] = [
    // Without a top-level provider the tables alone are the sources (config.sources_only).
    ...(config.sources_only
      ? []
      : [
          {
            provider: config.provider,
            accountId: config.account_id,
            raw: {},
            path: 'modules.contacts',
            spec: true,
          },
        ]),
    ...(config.sources ?? []).map((table, index) => {
      const raw = Object.fromEntries(Object.entries(table).filter(([key]) => !GENERIC_KEYS.has(key)));
      return {
        provider: table.provider,
        accountId: table.account_id,
        raw,
        path: `modules.contacts.sources[${index}]`,
        spec: false,
      };
    }),
  ];
  const problems: string[] = [];
  const sources: ConfiguredSource[] = [];
  for (const table of tables) {
    const descriptor = registry.descriptor(table.provider);
    if (!descriptor)
      throw unsupportedProviderError(table.provider, registry.names(), where, `${table.path}.provider`);
    // The spec form writes the provider's own settings at the top of [modules.contacts]: those
    // core parses itself (topLevelSettings), and the others as written (provider_settings).
    const raw = table.spec
      ? {
          ...Object.fromEntries(
            (descriptor.topLevelSettings ?? []).map((key) => [key, (config as Record<string, unknown>)[key]]),
          ),
          ...config.provider_settings,
        }
      : table.raw;
    const given = Object.fromEntries(
      Object.entries({ ...overrides[table.provider], ...raw }).filter(([, value]) => value !== undefined),
    );
    const parsed = descriptor.settings.safeParse(given);
    if (!parsed.success) {
      const known = ['provider', 'account_id', ...settingKeys(descriptor)];
      problems.push(...formatSettingsIssues(parsed.error, given, table.path, known));
      continue;
    }
    const { sources: _sources, sources_only: _only, provider_settings: _settings, ...generic } = config;
    sources.push({
      descriptor,
      provider: table.provider,
      accountId: table.accountId,
      settings: parsed.data,
      config: table.spec
        ? generic
        : {
            ...generic,
            provider: table.provider,
            account_id: table.accountId,
            include_other_contacts: false,
          },
      where: table.path,
    });
  }
  if (problems.length > 0) {
    throw new ContactsModuleError(
      'INVALID_CONFIG',
      `Invalid [modules.contacts] config: ${problems.join('; ')}${where}.`,
    );
  }
  return sources;
}

/**
 * The keys a descriptor's settings take, when its schema is an object (for "unknown key"
 * messages, and the keys the spec form may write at the top of `[modules.contacts]`).
 *
 * @example
 * ```ts
 * settingKeys(carddavProviderDescriptor); // ['url', 'books']
 * ```
 */
export function settingKeys(descriptor: ProviderDescriptor | undefined): string[] {
  if (!descriptor) return [];
  const shape = (descriptor.settings as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape) : [];
}

/**
 * `parseContactsConfig`'s options for a registry: each provider's settings may stand at the top
 * of `[modules.contacts]` when `provider` names it.
 *
 * @example
 * ```ts
 * const config = parseContactsConfig(table, registrySettingKeys(registry));
 * ```
 */
export function registrySettingKeys(registry: ProviderRegistry): ParseContactsConfigOptions {
  return { providerSettingKeys: (name) => settingKeys(registry.descriptor(name)) };
}
