import { type ContactsConfig, CoreError, type ProviderRegistry, parseContactsConfig } from '@contacts/core';
import { assertButlerSchemaName, SchemaError } from '@contacts/schema';
import { ContactsModuleError } from '../errors.js';
import { registrySettingKeys } from './configured-sources.js';

/**
 * A host's `[modules.contacts]` table, parsed for the registry's providers; a bad one is the
 * module's `INVALID_CONFIG` (the module and the worker refuse it the same way).
 *
 * @example
 * ```ts
 * const config = checkContactsConfig({ provider: 'google' }, defaultProviderRegistry());
 * ```
 */
export function checkContactsConfig(input: unknown, registry: ProviderRegistry): ContactsConfig {
  try {
    return parseContactsConfig(input, registrySettingKeys(registry));
  } catch (error) {
    if (error instanceof CoreError)
      throw new ContactsModuleError('INVALID_CONFIG', error.message, { cause: error });
    throw error;
  }
}

/**
 * A butler schema name, checked; a bad one is the module's `INVALID_CONFIG`.
 *
 * @example
 * ```ts
 * checkButlerSchema('relationship'); // 'relationship'
 * ```
 */
export function checkButlerSchema(name: string): string {
  try {
    return assertButlerSchemaName(name);
  } catch (error) {
    if (error instanceof SchemaError)
      throw new ContactsModuleError('INVALID_CONFIG', error.message, { cause: error });
    throw error;
  }
}
