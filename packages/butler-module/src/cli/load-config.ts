import { readFile } from 'node:fs/promises';
import { type ContactsConfig, CoreError, parseContactsConfig } from '@contacts/core';
import { parse } from 'smol-toml';
import { ContactsModuleError } from '../errors.js';
import { isSupportedProvider, SUPPORTED_PROVIDERS } from '../module/supported-providers.js';

/** The config used without `--config`: Google, with every default. */
export const DEFAULT_CLI_CONFIG = { provider: 'google' } as const;

/**
 * Reads `[modules.contacts]` from a butler.toml (the defaults without one), validated and
 * normalised as the module does it.
 *
 * @throws ContactsModuleError `INVALID_CONFIG` (missing file, bad TOML, no table, bad values) or
 *   `UNSUPPORTED_PROVIDER`.
 * @example
 * ```ts
 * const config = await loadCliConfig('/etc/butler/butler.toml');
 * ```
 */
export async function loadCliConfig(path: string | null): Promise<ContactsConfig> {
  let table: unknown = DEFAULT_CLI_CONFIG;
  if (path) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (cause) {
      throw new ContactsModuleError(
        'INVALID_CONFIG',
        `Cannot read the config file ${path}: ${(cause as Error).message}`,
        {
          cause,
        },
      );
    }
    let toml: Record<string, unknown>;
    try {
      toml = parse(text);
    } catch (cause) {
      const first = String((cause as Error).message).split('\n')[0];
      throw new ContactsModuleError('INVALID_CONFIG', `${path} is not valid TOML: ${first}`, { cause });
    }
    const modules = toml.modules as Record<string, unknown> | undefined;
    table = modules?.contacts;
    if (!table || typeof table !== 'object') {
      throw new ContactsModuleError('INVALID_CONFIG', `${path} has no [modules.contacts] table.`);
    }
  }
  let config: ContactsConfig;
  try {
    config = parseContactsConfig(table);
  } catch (error) {
    if (error instanceof CoreError)
      throw new ContactsModuleError('INVALID_CONFIG', error.message, { cause: error });
    throw error;
  }
  if (!isSupportedProvider(config.provider)) {
    throw new ContactsModuleError(
      'UNSUPPORTED_PROVIDER',
      `Unsupported contacts provider "${config.provider}" in [modules.contacts]. Supported providers: ${SUPPORTED_PROVIDERS.join(', ')}.`,
    );
  }
  return config;
}
