import {
  type Clock,
  ContactsConfig,
  CoreError,
  type Logger,
  parseContactsConfig,
  silentLogger,
  systemClock,
} from '@contacts/core';
import {
  assertButlerSchemaName,
  type ContactsDatabase,
  DEFAULT_BUTLER_SCHEMA,
  type MigrateOptions,
  type MigrateResult,
  migrate,
  SchemaError,
} from '@contacts/schema';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CredentialStore } from '../credentials/credential-store.js';
import { GOOGLE_CREDENTIAL_KEYS, resolveGoogleCredentials } from '../credentials/google-credentials.js';
import { ContactsModuleError } from '../errors.js';
import { redactingLogger, SecretRedactor } from '../redact.js';
import type { ContactsSyncRuntimeOptions } from '../runtime/runtime-types.js';
import { ContactsSyncRuntime } from '../runtime/sync-runtime.js';
import type { Timers } from '../runtime/timers.js';
import { registerContactsTools } from '../tools/index.js';
import type { ContactsToolEnvironment } from '../tools/tool-context.js';
import { CredentialStoreProviderSource } from './credential-provider-source.js';
import { type ContactsProviderFactory, defaultProviderFactory } from './provider-factory.js';
import { isSupportedProvider, SUPPORTED_PROVIDERS, unsupportedProviderError } from './supported-providers.js';
import { verifySecretsAtRest } from './verify-secrets-at-rest.js';

/**
 * What a host hands to {@link ContactsModule.onStartup}. Only `config` and `db` are required;
 * every piece of I/O can be injected.
 *
 * @example
 * ```ts
 * const options: ContactsStartupOptions = {
 *   config: { provider: 'google' },
 *   db,
 *   butlerSchema: 'relationship',
 *   credentialStore: new DbCredentialStore({ db }),
 *   googleRootUrl: emulator.url, // only to point at a local emulator
 *   googleTokenUrl: emulator.tokenUrl,
 * };
 * ```
 */
export interface ContactsStartupOptions {
  /** The `[modules.contacts]` table of butler.toml, as parsed TOML (validated and normalised here). */
  config: unknown;
  db: ContactsDatabase;
  /** The butler's Postgres schema (default `relationship`). */
  butlerSchema?: string;
  /** The host's secret store; the Google credentials come from here only. */
  credentialStore?: CredentialStore | null;
  logger?: Logger;
  clock?: Clock;
  timers?: Timers;
  /** Builds the provider (default: the Google People API provider). */
  providerFactory?: ContactsProviderFactory;
  /** People API root to use instead of Google's (an emulator). */
  googleRootUrl?: string;
  /** OAuth token endpoint to use instead of Google's (an emulator). */
  googleTokenUrl?: string;
  /** Tuning of the runtime: backoff, jitter source, credential re-check period, lease TTL, call deadline. */
  runtime?: Pick<
    ContactsSyncRuntimeOptions,
    'backoff' | 'random' | 'credentialCheckMs' | 'lockTtlMs' | 'callDeadlineMs'
  >;
}

/**
 * The contacts module as a butler host loads it: validates `[modules.contacts]`, reads the Google
 * credentials from the host's credential store, runs the sync runtime, and serves the four MCP
 * tools (`contacts_sync_now`, `contacts_sync_status`, `contacts_source_list`,
 * `contacts_source_reconcile`).
 *
 * Lifecycle: `migrate()` (idempotent) → `onStartup()` → `registerTools()` (any time; tools answer
 * "not running" until startup) → `onShutdown()`.
 *
 * @example
 * ```ts
 * const contacts = new ContactsModule();
 * await contacts.migrate(db, { butlerSchema: 'relationship' });
 * await contacts.onStartup({
 *   config: toml.modules.contacts, // { provider: 'google', sync: { interval_minutes: 15 } }
 *   db,
 *   butlerSchema: 'relationship',
 *   credentialStore: new DbCredentialStore({ db, butlerSchema: 'relationship', secretsKey: process.env.CONTACTS_SECRETS_KEY }),
 *   logger,
 * });
 * contacts.registerTools(mcpServer);
 * // ... on shutdown:
 * await contacts.onShutdown();
 * ```
 */
export class ContactsModule {
  /** The providers `onStartup` accepts. */
  static readonly supportedProviders: readonly string[] = SUPPORTED_PROVIDERS;
  /** The module's name: its config lives under `[modules.contacts]`. */
  readonly name = 'contacts';
  /** The zod schema of `[modules.contacts]` (provider normalised, sync defaults applied). */
  readonly configSchema = ContactsConfig;

  #environment: ContactsToolEnvironment | null = null;
  #starting = false;

  /** The sync runtime, while running (null when sync is disabled or the module is down). */
  get runtime(): ContactsSyncRuntime | null {
    return this.#environment?.runtime ?? null;
  }

  /** The validated config, while running. */
  get config(): ContactsConfig | null {
    return this.#environment?.config ?? null;
  }

  /**
   * Creates or upgrades the module's tables (`shared.*` and the butler schema's). Idempotent; run
   * it before `onStartup`.
   *
   * @example
   * ```ts
   * await new ContactsModule().migrate(db, { butlerSchema: 'relationship' });
   * ```
   */
  migrate(db: ContactsDatabase, options: MigrateOptions = {}): Promise<MigrateResult> {
    return migrate(db, options);
  }

  /**
   * Validates the config, resolves credentials and starts the sync runtime (which syncs in the
   * background: this does not wait for a sync). With `sync.enabled = false` it logs that and
   * starts no runtime; the tools then say the runtime is not running.
   *
   * Before that, the credential store's `verify()` (when it has one) checks the secrets key:
   * `DbCredentialStore` refuses to start without the key its secrets were encrypted with, and
   * encrypts secrets it holds in plain text once it has a key.
   *
   * @throws ContactsModuleError `INVALID_CONFIG`, `UNSUPPORTED_PROVIDER` (naming the supported
   *   ones), `SECRETS_KEY_MISSING` / `SECRETS_KEY_WRONG` (what to do, never a key or a value),
   *   `CREDENTIAL_STORE_MISSING`, `MISSING_CREDENTIALS` (naming the keys and the dashboard
   *   OAuth flow), `ALREADY_STARTED`.
   */
  async onStartup(options: ContactsStartupOptions): Promise<void> {
    if (this.#environment || this.#starting) {
      throw new ContactsModuleError(
        'ALREADY_STARTED',
        'The contacts module is already started; call onShutdown() first.',
      );
    }
    this.#starting = true;
    try {
      this.#environment = await this.#start(options);
    } finally {
      this.#starting = false;
    }
  }

  /**
   * Registers the four MCP tools. They look the module's state up on every call, so this may run
   * before `onStartup`.
   */
  registerTools(server: McpServer): void {
    registerContactsTools(server, () => this.#environment);
  }

  /** Stops the runtime (the page in flight commits first). Safe to call when not started. */
  async onShutdown(): Promise<void> {
    const environment = this.#environment;
    this.#environment = null;
    await environment?.runtime?.stop();
  }

  async #start(options: ContactsStartupOptions): Promise<ContactsToolEnvironment> {
    const butlerSchema = checkSchema(options.butlerSchema ?? DEFAULT_BUTLER_SCHEMA);
    const config = checkConfig(options.config);
    if (!isSupportedProvider(config.provider)) throw unsupportedProviderError(config.provider);
    const redactor = new SecretRedactor();
    const logger = redactingLogger(options.logger ?? silentLogger, redactor);
    const clock = options.clock ?? systemClock;
    const environment = {
      config,
      db: options.db,
      butlerSchema,
      clock,
      redact: (text: string) => redactor.redact(text),
    };
    const ids = { provider: config.provider, account_id: config.account_id };
    // Before anything else reads a secret, and even with sync disabled: a missing or wrong
    // secrets key is a configuration error to fix now, not a failure of the first sync.
    await verifySecretsAtRest(options.credentialStore, logger, ids);
    if (!config.sync.enabled) {
      logger.info('contacts_sync_disabled', {
        ...ids,
        message: 'sync.enabled = false in [modules.contacts]: the sync runtime is not started.',
      });
      return { ...environment, runtime: null };
    }
    // Fails startup now, naming the missing keys, rather than in the background later.
    const credentials = await resolveGoogleCredentials(options.credentialStore);
    redactor.add(Object.values(credentials));
    logger.info('contacts_credentials_resolved', {
      ...ids,
      keys: [...GOOGLE_CREDENTIAL_KEYS],
      source: 'credential store',
    });
    const runtime = new ContactsSyncRuntime({
      ...options.runtime,
      db: options.db,
      butlerSchema,
      config,
      logger,
      clock,
      timers: options.timers,
      redact: (text: string) => redactor.redact(text),
      providers: new CredentialStoreProviderSource({
        store: options.credentialStore!,
        config,
        factory: options.providerFactory ?? defaultProviderFactory,
        redactor,
        logger,
        clock,
        googleRootUrl: options.googleRootUrl,
        googleTokenUrl: options.googleTokenUrl,
      }),
    });
    runtime.start();
    return { ...environment, runtime };
  }
}

function checkSchema(name: string): string {
  try {
    return assertButlerSchemaName(name);
  } catch (error) {
    if (error instanceof SchemaError)
      throw new ContactsModuleError('INVALID_CONFIG', error.message, { cause: error });
    throw error;
  }
}

function checkConfig(input: unknown): ContactsConfig {
  try {
    return parseContactsConfig(input);
  } catch (error) {
    if (error instanceof CoreError)
      throw new ContactsModuleError('INVALID_CONFIG', error.message, { cause: error });
    throw error;
  }
}
