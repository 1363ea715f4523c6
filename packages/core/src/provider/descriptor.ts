import type { z } from 'zod';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { ContactsProvider } from './contacts-provider.js';

/**
 * One credential-store key a provider needs for each account it syncs. `field` names the value
 * in {@link ProviderCreateContext.credentials}; `explain` tells a person what the key holds and
 * where it comes from, for the startup error that lists missing keys.
 *
 * @example
 * ```ts
 * const token: CredentialRequirement = {
 *   key: 'ACME_API_TOKEN',
 *   field: 'token',
 *   explain: 'the API token from Acme settings → Developer',
 * };
 * ```
 */
export interface CredentialRequirement {
  /** The key of the default account, upper case (`GOOGLE_REFRESH_TOKEN`); see {@link credentialKey}. */
  key: string;
  /** The property of `credentials` that receives the value (`refreshToken`). */
  field: string;
  explain: string;
}

/**
 * A setting a provider also reads from an environment variable (and the `contacts` command
 * from the flag of the same name): for endpoint overrides that point one machine at an emulator
 * or a proxy, not for anything secret. Given, it sets the setting of every source of the
 * provider whose table leaves it out (the command line's flag wins over the variable).
 *
 * @example
 * ```ts
 * const root: ProviderSettingEnv = {
 *   name: 'CONTACTS_ACME_ROOT_URL',
 *   setting: 'root_url',
 *   description: "API root instead of Acme's",
 * };
 * ```
 */
export interface ProviderSettingEnv {
  /** The variable, `CONTACTS_<PROVIDER>_<SETTING>`; the flag is its lower-case tail (`--acme-root-url`). */
  name: string;
  /** The key in the provider's settings it fills. */
  setting: string;
  description: string;
  /**
   * What the value receives when it is a URL credentials are sent to (`the access token`): it
   * must then be https, or http to a loopback host, and the message says why.
   */
  carries?: string;
}

/**
 * What {@link ProviderDescriptor.create} builds a provider from.
 *
 * @example
 * ```ts
 * const ctx: ProviderCreateContext<{ root_url: string }> = {
 *   accountId: 'work', settings: { root_url: 'https://api.acme.example/' },
 *   credentials: { token: '…' }, logger, clock,
 * };
 * ```
 */
export interface ProviderCreateContext<Settings> {
  /** The source's account id (`default` for the spec's single source). */
  accountId: string;
  /** The source's settings, as the descriptor's `settings` schema parsed them. */
  settings: Settings;
  /** The account's credentials by {@link CredentialRequirement.field}, read from the store just now. */
  credentials: Readonly<Record<string, string>>;
  logger: Logger;
  clock: Clock;
  /** Aborted when the host stops: a provider may abort what it set up. */
  signal?: AbortSignal;
}

/**
 * A value a provider's authorization needs before it starts (an OAuth client's id and secret, a
 * user name and password), kept in the store with the credentials it leads to. The `contacts
 * auth` command takes it from `--<flag>` (never for a `secret`), then the variable `env`, then
 * the source's `setting`, then the credential store (unless `fresh`); a secret still missing is
 * read without echo from a terminal, or from stdin.
 *
 * @example
 * ```ts
 * const clientId: AuthorizeInput = { field: 'clientId', flag: 'client-id', env: 'CONTACTS_ACME_CLIENT_ID' };
 * const url: AuthorizeInput = { field: 'url', flag: 'url', setting: 'url' };
 * const password: AuthorizeInput = { field: 'password', flag: 'password', secret: true, fresh: true };
 * ```
 */
export interface AuthorizeInput {
  /** The {@link CredentialRequirement.field} it fills (or a name of its own, for a `setting`). */
  field: string;
  /** Lower-case flag name without dashes (`client-id`); ignored for a secret. */
  flag: string;
  env?: string;
  secret?: boolean;
  /**
   * A setting of the source the value defaults to when no flag or variable gives it (a server
   * `url`): the flag then checks another value for this authorization only. Never stored.
   */
  setting?: string;
  /**
   * Asked for on every authorization, never taken from the credential store: a password the
   * authorization checks (re-authorizing is how a changed password is stored).
   */
  fresh?: boolean;
}

/**
 * What {@link ProviderAuthorization.run} works with: the source, its inputs, and the command's
 * way to show a person the URL to open.
 *
 * @example
 * ```ts
 * await descriptor.authorize?.run({ accountId: 'default', settings, inputs, showUrl: print, signal, logger });
 * ```
 */
export interface AuthorizeContext<Settings> {
  accountId: string;
  settings: Settings;
  /** The {@link AuthorizeInput} values by field. */
  inputs: Readonly<Record<string, string>>;
  /** Shows the URL the person opens to consent (printed, and a browser opened when there is one). */
  showUrl(url: string): void | Promise<void>;
  /**
   * Tells the person what the authorization found (the address books at a server), one line at
   * a time, on the command's standard output. Never a secret.
   */
  say?(line: string): void;
  /** Aborted on the deadline or Ctrl-C: the authorization stops waiting and rejects. */
  signal: AbortSignal;
  logger: Logger;
}

/**
 * How a person connects an account from the command line (`contacts auth <provider>`): the
 * inputs it needs, and `run`, which resolves with the credentials to store by field (inputs
 * included), never logging them.
 *
 * @example
 * ```ts
 * const authorize: ProviderAuthorization<AcmeSettings> = {
 *   inputs: [{ field: 'token', flag: 'token', secret: true }],
 *   run: async ({ inputs }) => ({ token: inputs.token! }),
 * };
 * ```
 */
export interface ProviderAuthorization<Settings> {
  inputs: readonly AuthorizeInput[];
  run(context: AuthorizeContext<Settings>): Promise<Readonly<Record<string, string>>>;
}

/**
 * Everything the generic module needs to know about one provider: its name, the zod schema of
 * its own settings in a source table (`[[modules.contacts.sources]]`), the credential-store keys
 * each account needs, the secret shapes the redactor must blank even before a secret is known,
 * the environment variables it reads, and how to build the provider. Register it in a
 * {@link ProviderRegistry}; nothing else in the module names a provider.
 *
 * @example
 * ```ts
 * const acme: ProviderDescriptor<{ root_url: string }> = {
 *   name: 'acme',
 *   displayName: 'Acme',
 *   settings: z.strictObject({ root_url: z.url().default('https://api.acme.example/') }),
 *   credentials: [{ key: 'ACME_API_TOKEN', field: 'token', explain: 'the API token' }],
 *   secretShapes: [/\bacme_[A-Za-z0-9]{32}\b/g],
 *   create: ({ settings, credentials }) => new AcmeProvider(settings.root_url, credentials.token!),
 * };
 * new ProviderRegistry().register(acme);
 * ```
 */
export interface ProviderDescriptor<Settings = unknown> {
  /** Lower-case name: the `provider` of config tables, sync state and source links. */
  name: string;
  /** How people call it in sentences (`Google`); default: the name. */
  displayName?: string;
  /** The provider's own keys of a source table; unknown keys should be refused (a strict object). */
  settings: z.ZodType<Settings>;
  credentials: readonly CredentialRequirement[];
  /**
   * Token shapes of this provider (global regular expressions) blanked from every log line,
   * error and tool result. A first capture group is kept (a label such as `Bearer`).
   */
  secretShapes?: readonly RegExp[];
  /** Settings it also reads from the environment. */
  env?: readonly ProviderSettingEnv[];
  /**
   * Its settings that the spec form may write at the top of `[modules.contacts]` (next to
   * `provider`), for the one source that form names (Google's `include_other_contacts`).
   */
  topLevelSettings?: readonly string[];
  /** What its credentials are called in sentences (`Google OAuth credentials`); default `<displayName> credentials`. */
  credentialsLabel?: string;
  /** Explains, in one sentence, how a person connects an account (the end of a missing-credentials error). */
  connectHint?: string;
  create(context: ProviderCreateContext<Settings>): ContactsProvider | Promise<ContactsProvider>;
  /** How `contacts auth <provider>` connects an account; absent, the keys are set by hand. */
  authorize?: ProviderAuthorization<Settings>;
  /**
   * The upstream an account's requests count against, as a stable string without secrets (an
   * OAuth client, a server's host and port): a fleet caps concurrent syncs per upstream and
   * pauses one upstream on a project-wide 429. Absent: the provider as a whole is one upstream.
   * Read through {@link descriptorUpstream}.
   */
  upstream?(context: UpstreamContext<Settings>): string;
}

/**
 * What {@link ProviderDescriptor.upstream} sees: the account, its parsed settings and credentials.
 *
 * @example
 * ```ts
 * const ctx: UpstreamContext<{ url: string }> = { accountId: 'work', settings: { url: 'https://dav.example.com/' }, credentials: {} };
 * ```
 */
export type UpstreamContext<Settings> = Pick<
  ProviderCreateContext<Settings>,
  'accountId' | 'settings' | 'credentials'
>;

/**
 * The upstream key of an account: `<provider>:<descriptor's upstream>`, or `<provider>:*` when
 * the descriptor names none (every account of the provider shares one cap).
 *
 * @example
 * ```ts
 * descriptorUpstream(carddav, { accountId: 'a', settings: { url: 'https://dav.example.com/' }, credentials: {} });
 * // 'carddav:dav.example.com:443'
 * ```
 */
export function descriptorUpstream<Settings>(
  descriptor: Pick<ProviderDescriptor<Settings>, 'name' | 'upstream'>,
  context: UpstreamContext<Settings>,
): string {
  return `${descriptor.name}:${descriptor.upstream?.(context) ?? '*'}`;
}

/** The separator between a credential key and the account id it belongs to. */
export const ACCOUNT_KEY_SEPARATOR = '@';

/**
 * The credential-store key of `requirement` for one account: the plain key for the `default`
 * account (the spec's keys), `KEY@account` for any other, so two accounts of one provider never
 * share a secret (`GOOGLE_REFRESH_TOKEN@work`).
 *
 * @example
 * ```ts
 * credentialKey('GOOGLE_REFRESH_TOKEN', 'default'); // 'GOOGLE_REFRESH_TOKEN'
 * credentialKey('GOOGLE_REFRESH_TOKEN', 'work'); // 'GOOGLE_REFRESH_TOKEN@work'
 * ```
 */
export function credentialKey(key: string, accountId: string): string {
  return accountId === 'default' ? key : `${key}${ACCOUNT_KEY_SEPARATOR}${accountId}`;
}
