import { readFile } from 'node:fs/promises';
import { type ContactsConfig, CoreError, parseContactsConfig } from '@contacts/core';
import { parse, TomlError } from 'smol-toml';
import { ContactsModuleError } from '../errors.js';
import { configuredSources, registrySettingKeys } from '../module/configured-sources.js';
import { DEFAULT_PROVIDER, defaultProviderRegistry } from '../module/default-registry.js';

/** The config used without `--config`: the default provider, with every default. */
export const DEFAULT_CLI_CONFIG = { provider: DEFAULT_PROVIDER } as const;

const capital = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** What a value is, in TOML words, for "must be a table" messages. */
function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Date) return 'a date';
  if (typeof value === 'object' && value !== null) return 'a table';
  return `a ${typeof value}`;
}

/**
 * Reads `[modules.contacts]` from a butler.toml (the defaults without one), validated and
 * normalised as the module does it. Every error names the file given with `--config` and, for a
 * bad value, its key path (`modules.contacts.sync.interval_minutes`), what it expects and what it
 * got.
 *
 * @throws ContactsModuleError `INVALID_CONFIG` (missing file, bad TOML, no table, bad values) or
 *   `UNSUPPORTED_PROVIDER`.
 * @example
 * ```ts
 * const config = await loadCliConfig('/etc/butler/butler.toml');
 * ```
 */
export async function loadCliConfig(
  path: string | null,
  label = 'the --config file',
): Promise<ContactsConfig> {
  let table: unknown = DEFAULT_CLI_CONFIG;
  if (path) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (cause) {
      const code = (cause as { code?: unknown }).code;
      const why =
        code === 'ENOENT'
          ? 'no such file'
          : code === 'EISDIR'
            ? 'it is a directory'
            : code === 'EACCES'
              ? 'permission denied'
              : (cause as Error).message;
      throw new ContactsModuleError('INVALID_CONFIG', `Cannot read ${label} ${path}: ${why}.`, {
        cause,
      });
    }
    let toml: Record<string, unknown>;
    try {
      toml = parse(text);
    } catch (cause) {
      const first = String((cause as Error).message)
        .split('\n')[0]
        ?.replace(/^Invalid TOML document: /, '');
      const where = cause instanceof TomlError ? ` at line ${cause.line}, column ${cause.column}` : '';
      throw new ContactsModuleError(
        'INVALID_CONFIG',
        `${capital(label)} ${path} is not valid TOML${where}: ${first}.`,
        { cause },
      );
    }
    const modules = toml.modules;
    if (
      modules !== undefined &&
      (typeof modules !== 'object' || modules === null || Array.isArray(modules))
    ) {
      throw new ContactsModuleError(
        'INVALID_CONFIG',
        `In ${label} ${path}, modules must be a table (got ${kindOf(modules)}).`,
      );
    }
    table = (modules as Record<string, unknown> | undefined)?.contacts;
    if (table === undefined) {
      throw new ContactsModuleError(
        'INVALID_CONFIG',
        `${capital(label)} ${path} has no [modules.contacts] table: add one with at least provider = "${DEFAULT_CLI_CONFIG.provider}".`,
      );
    }
  }
  const where = path ? ` (in ${label} ${path})` : '';
  let config: ContactsConfig;
  try {
    config = parseContactsConfig(table, registrySettingKeys(defaultProviderRegistry()));
  } catch (error) {
    if (error instanceof CoreError) {
      throw new ContactsModuleError('INVALID_CONFIG', `${error.message.replace(/\.$/, '')}${where}.`, {
        cause: error,
      });
    }
    throw error;
  }
  // Every source's provider registered and its settings valid, as the module checks them.
  configuredSources(config, defaultProviderRegistry(), {}, where);
  return config;
}
