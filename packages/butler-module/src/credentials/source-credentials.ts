import { createHash } from 'node:crypto';
import { ACCOUNT_KEY_SEPARATOR, credentialKey, type ProviderDescriptor } from '@contacts/core';
import { authCommandFor } from '../cli/auth-hint.js';
import { ContactsModuleError } from '../errors.js';
import type { CredentialStore } from './credential-store.js';

/**
 * What {@link readSourceCredentials} found for one account: the values by field, and the store
 * keys that are absent, empty or expired (in the descriptor's order).
 *
 * @example
 * ```ts
 * const { values, missing } = await readSourceCredentials(store, descriptor, 'work');
 * ```
 */
export interface SourceCredentials {
  values: Record<string, string>;
  /** The store keys read, in the descriptor's order (`GOOGLE_REFRESH_TOKEN@work`). */
  keys: string[];
  missing: string[];
}

/**
 * Reads one account's credentials from the credential store, never from the environment (a
 * process environment leaks into child processes and crash reports, and the dashboard OAuth
 * flow writes the store). The keys are the descriptor's, suffixed per account ({@link credentialKey}).
 *
 * @example
 * ```ts
 * const { values, missing } = await readSourceCredentials(store, googleProviderDescriptor, 'default');
 * if (missing.length === 0) googleProviderDescriptor.create({ credentials: values, ... });
 * ```
 */
export async function readSourceCredentials(
  store: CredentialStore,
  descriptor: Pick<ProviderDescriptor, 'credentials'>,
  accountId: string,
): Promise<SourceCredentials> {
  const keys = descriptor.credentials.map((c) => credentialKey(c.key, accountId));
  const raw = await Promise.all(keys.map((key) => store.get(key)));
  const values: Record<string, string> = {};
  const missing: string[] = [];
  descriptor.credentials.forEach((requirement, i) => {
    const value = raw[i]?.trim();
    if (value) values[requirement.field] = value;
    else missing.push(keys[i]!);
  });
  return { values, keys, missing };
}

/**
 * The provider whose credential-store key `key` is, for any account: a descriptor's key as the
 * default account's (`GOOGLE_REFRESH_TOKEN`) or in the `KEY@account` form of another
 * ({@link credentialKey}); undefined for a key no descriptor declares. Lets `contacts secrets
 * set` group a secret under its provider without naming one.
 *
 * @example
 * ```ts
 * credentialOwner(registry.descriptors(), 'GOOGLE_REFRESH_TOKEN@work')?.name; // 'google'
 * credentialOwner(registry.descriptors(), 'SMTP_PASSWORD'); // undefined
 * ```
 */
export function credentialOwner(
  descriptors: readonly ProviderDescriptor[],
  key: string,
): ProviderDescriptor | undefined {
  const at = key.indexOf(ACCOUNT_KEY_SEPARATOR);
  const accountId = at < 0 ? 'default' : key.slice(at + ACCOUNT_KEY_SEPARATOR.length);
  if (accountId === '') return undefined;
  // Built back with credentialKey, so `KEY@default` (a key the module never reads) has no owner.
  return descriptors.find((d) => d.credentials.some((c) => credentialKey(c.key, accountId) === key));
}

/**
 * A digest that changes when the credentials change: lets the runtime notice a
 * re-authorisation without keeping or logging the secrets themselves.
 *
 * @example
 * ```ts
 * sourceCredentialsRevision(descriptor, values); // 'b1946ac9...'
 * ```
 */
export function sourceCredentialsRevision(
  descriptor: Pick<ProviderDescriptor, 'credentials'>,
  values: Record<string, string>,
): string {
  return createHash('sha256')
    .update(JSON.stringify(descriptor.credentials.map((c) => values[c.field])))
    .digest('hex');
}

/** What a descriptor's credentials are called in a sentence. */
export function credentialsLabel(descriptor: ProviderDescriptor): string {
  return descriptor.credentialsLabel ?? `${descriptor.displayName ?? descriptor.name} credentials`;
}

const DEFAULT_CONNECT_HINT =
  'Connect the account through the dashboard OAuth flow (or store them with `contacts secrets set KEY VALUE`), then restart or reconcile.';

/**
 * One account whose credentials are incomplete.
 *
 * @example
 * ```ts
 * const gap: MissingSourceCredentials = { descriptor, accountId: 'work', missing: ['GOOGLE_REFRESH_TOKEN@work'] };
 * ```
 */
export interface MissingSourceCredentials {
  descriptor: ProviderDescriptor;
  accountId: string;
  missing: string[];
}

/**
 * The `MISSING_CREDENTIALS` error naming every source that lacks credentials and its missing
 * keys (never a value), and sending the person to the dashboard OAuth flow. With the spec's
 * single default source it reads as before: `Google OAuth credentials are missing from the
 * credential store: GOOGLE_REFRESH_TOKEN. Connect the Google account through the dashboard OAuth flow ...`.
 *
 * @example
 * ```ts
 * throw missingCredentialsError([{ descriptor, accountId: 'work', missing: ['GOOGLE_REFRESH_TOKEN@work'] }]);
 * ```
 */
export function missingCredentialsError(gaps: readonly MissingSourceCredentials[]): ContactsModuleError {
  // A provider with an authorization: the exact command for each source first (its `--source`
  // names the account), then the provider's own sentence.
  const commands = gaps
    .filter((g) => g.descriptor.authorize !== undefined)
    .map((g) => `Run \`${authCommandFor(g.descriptor.name, g.accountId)}\` to connect it.`);
  const hints = [
    ...new Set([...commands, ...gaps.map((g) => g.descriptor.connectHint ?? DEFAULT_CONNECT_HINT)]),
  ];
  const only = gaps.length === 1 ? gaps[0]! : null;
  const head = only
    ? `${credentialsLabel(only.descriptor)}${only.accountId === 'default' ? '' : ` of ${only.descriptor.name} account "${only.accountId}"`} are missing from the credential store: ${only.missing.join(', ')}.`
    : `Credentials are missing from the credential store for ${gaps.length} sources: ${gaps
        .map((g) => `${g.descriptor.name} account "${g.accountId}" lacks ${g.missing.join(', ')}`)
        .join('; ')}.`;
  const suffix = gaps.some((g) => g.accountId !== 'default')
    ? ' Keys of an account other than "default" end in @ and the account id.'
    : '';
  return new ContactsModuleError('MISSING_CREDENTIALS', `${head}${suffix} ${hints.join(' ')}`);
}

/**
 * The `CREDENTIAL_STORE_MISSING` error: sources need credentials and the host gave no store.
 *
 * @example
 * ```ts
 * if (!store) throw credentialStoreMissingError([googleProviderDescriptor]);
 * ```
 */
export function credentialStoreMissingError(descriptors: readonly ProviderDescriptor[]): ContactsModuleError {
  const labels = [...new Set(descriptors.map(credentialsLabel))].join(' and ');
  const names = [...new Set(descriptors.map((d) => d.displayName ?? d.name))].join(' and ');
  return new ContactsModuleError(
    'CREDENTIAL_STORE_MISSING',
    `The contacts module needs a credential store for its ${labels}; environment variables are not used. ` +
      `Start it from a host that passes its credential store, then connect ${names} through the dashboard OAuth flow.`,
  );
}
