import {
  type Clock,
  type ContactsConfig,
  contactsConfigSchema,
  type Logger,
  type ProviderRegistry,
  silentLogger,
  systemClock,
} from '@contacts/core';
import {
  type ContactsDatabase,
  DEFAULT_BUTLER_SCHEMA,
  type MigrateOptions,
  type MigrateResult,
  migrate,
} from '@contacts/schema';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { z } from 'zod';
import type { CredentialStore } from '../credentials/credential-store.js';
import {
  credentialStoreMissingError,
  type MissingSourceCredentials,
  missingCredentialsError,
  readSourceCredentials,
} from '../credentials/source-credentials.js';
import { ContactsModuleError } from '../errors.js';
import { redactingLogger, SecretRedactor } from '../redact.js';
import type { ContactsSyncRuntimeOptions } from '../runtime/runtime-types.js';
import { ContactsSyncRuntime } from '../runtime/sync-runtime.js';
import type { Timers } from '../runtime/timers.js';
import { registerContactsTools } from '../tools/index.js';
import type {
  ContactsToolEnvironment,
  ContactsToolSource,
  FleetSyncRequests,
} from '../tools/tool-context.js';
import { checkButlerSchema, checkContactsConfig } from './check-options.js';
import { type ConfiguredSource, configuredSources, registrySettingKeys } from './configured-sources.js';
import { CredentialStoreProviderSource } from './credential-provider-source.js';
import { defaultProviderRegistry } from './default-registry.js';
import {
  type ContactsProviderFactory,
  type LegacyEndpointOptions,
  legacyFactoryFields,
  legacySettingsOverrides,
} from './legacy-options.js';
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
 *   settingsOverrides: { google: { root_url: emulator.url, token_url: emulator.tokenUrl } }, // an emulator
 * };
 * ```
 */
export interface ContactsStartupOptions extends LegacyEndpointOptions {
  /** The `[modules.contacts]` table of butler.toml, as parsed TOML (validated and normalised here). */
  config: unknown;
  db: ContactsDatabase;
  /** The butler's Postgres schema (default `relationship`). */
  butlerSchema?: string;
  /** The host's secret store; every source's credentials come from here only. */
  credentialStore?: CredentialStore | null;
  logger?: Logger;
  clock?: Clock;
  timers?: Timers;
  /** Builds every source's provider instead of its descriptor (the older factory form). */
  providerFactory?: ContactsProviderFactory;
  /**
   * Settings that override those of every source of a provider, by provider name (the
   * `contacts` command passes a descriptor's declared environment variables and flags here).
   */
  settingsOverrides?: Record<string, Record<string, unknown>>;
  /**
   * Fleet mode: sync workers (`contacts worker`, `startContactsWorker`) sync the sources from a job
   * queue; this process starts no runtime, and the tools send sync requests there and show the
   * queue. Absent (the default): the single-host runtime polls every source here.
   */
  fleet?: FleetSyncRequests;
  /** Tuning of the runtime: backoff, jitter source, credential re-check period, lease TTL, call deadline. */
  runtime?: Pick<
    ContactsSyncRuntimeOptions,
    'backoff' | 'random' | 'credentialCheckMs' | 'lockTtlMs' | 'callDeadlineMs'
  >;
}

/**
 * The contacts module as a butler host loads it: validates `[modules.contacts]`, reads each source's
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
  /** The providers `onStartup` accepts without a registry of the host's. */
  static readonly supportedProviders: readonly string[] = defaultProviderRegistry().names();
  /** The module's name: its config lives under `[modules.contacts]`. */
  readonly name = 'contacts';
  /**
   * The zod schema of `[modules.contacts]` (provider normalised, sync defaults applied, a
   * registered provider's own settings accepted at the top when `provider` names it).
   */
  get configSchema(): z.ZodType<ContactsConfig> {
    return contactsConfigSchema(registrySettingKeys(this.registry));
  }

  /** The providers this module can start, by name. */
  readonly registry: ProviderRegistry;

  #environment: ContactsToolEnvironment | null = null;
  #starting = false;

  /**
   * `registry`: the providers it can start (default: {@link defaultProviderRegistry}); register a
   * provider's descriptor there to sync it.
   */
  constructor(options: { registry?: ProviderRegistry } = {}) {
    this.registry = options.registry ?? defaultProviderRegistry();
  }

  /** The first source's sync runtime, while running (null when sync is disabled or the module is down). */
  get runtime(): ContactsSyncRuntime | null {
    return this.#environment?.runtime ?? null;
  }

  /** Every configured source and its runtime, while running (empty when down). */
  get sources(): readonly ContactsToolSource[] {
    return this.#environment?.sources ?? [];
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
    registerContactsTools(server, () => this.#environment, this.registry.names());
  }

  /** Stops every runtime (the page in flight commits first). Safe to call when not started. */
  async onShutdown(): Promise<void> {
    const environment = this.#environment;
    this.#environment = null;
    await Promise.all((environment?.sources ?? []).map((source) => source.runtime?.stop()));
  }

  async #start(options: ContactsStartupOptions): Promise<ContactsToolEnvironment> {
    const butlerSchema = checkButlerSchema(options.butlerSchema ?? DEFAULT_BUTLER_SCHEMA);
    const config = checkContactsConfig(options.config, this.registry);
    const sources = configuredSources(config, this.registry, {
      ...legacySettingsOverrides(options),
      ...options.settingsOverrides,
    });
    const redactor = new SecretRedactor(this.registry.secretShapes());
    const logger = redactingLogger(options.logger ?? silentLogger, redactor);
    const clock = options.clock ?? systemClock;
    const environment = {
      config,
      db: options.db,
      butlerSchema,
      clock,
      redact: (text: string) => redactor.redact(text),
    };
    const idsOf = (source: ConfiguredSource) => ({ provider: source.provider, account_id: source.accountId });
    // Before anything else reads a secret, and even with sync disabled: a missing or wrong
    // secrets key is a configuration error to fix now, not a failure of the first sync.
    await verifySecretsAtRest(options.credentialStore, logger, idsOf(sources[0]!));
    if (!config.sync.enabled) {
      for (const source of sources) {
        logger.info('contacts_sync_disabled', {
          ...idsOf(source),
          message: 'sync.enabled = false in [modules.contacts]: the sync runtime is not started.',
        });
      }
      const idle = sources.map((source) => ({ config: source.config, runtime: null }));
      return { ...environment, config: idle[0]!.config, runtime: null, sources: idle };
    }
    // Fails startup now, naming every source's missing keys, rather than in the background later.
    await this.#checkCredentials(sources, options.credentialStore, redactor, logger);
    if (options.fleet) {
      // The workers sync; this process serves the tools, which queue syncs and read the queue.
      const queued = sources.map((source) => ({ config: source.config, runtime: null }));
      logger.info('contacts_fleet_mode', { sources: sources.length, job_schema: options.fleet.jobSchema });
      return {
        ...environment,
        config: queued[0]!.config,
        runtime: null,
        sources: queued,
        fleet: options.fleet,
      };
    }
    const running: ContactsToolSource[] = sources.map((source) => {
      const runtime = new ContactsSyncRuntime({
        ...options.runtime,
        db: options.db,
        butlerSchema,
        config: source.config,
        logger,
        clock,
        timers: options.timers,
        redact: (text: string) => redactor.redact(text),
        providers: new CredentialStoreProviderSource({
          store: options.credentialStore!,
          source,
          redactor,
          logger,
          clock,
          factory: options.providerFactory,
          factoryFields: legacyFactoryFields(options),
        }),
      });
      return { config: source.config, runtime };
    });
    // Each runtime schedules itself: one source's auth failure or backoff never holds another.
    for (const source of running) source.runtime?.start();
    return { ...environment, config: running[0]!.config, runtime: running[0]!.runtime, sources: running };
  }

  async #checkCredentials(
    sources: readonly ConfiguredSource[],
    store: CredentialStore | null | undefined,
    redactor: SecretRedactor,
    logger: Logger,
  ): Promise<void> {
    const needing = sources.filter((source) => source.descriptor.credentials.length > 0);
    if (needing.length === 0) return;
    if (!store) throw credentialStoreMissingError(needing.map((source) => source.descriptor));
    const gaps: MissingSourceCredentials[] = [];
    for (const source of needing) {
      const { values, keys, missing } = await readSourceCredentials(
        store,
        source.descriptor,
        source.accountId,
      );
      redactor.add(Object.values(values));
      if (missing.length > 0) {
        gaps.push({ descriptor: source.descriptor, accountId: source.accountId, missing });
        continue;
      }
      logger.info('contacts_credentials_resolved', {
        provider: source.provider,
        account_id: source.accountId,
        keys,
        source: 'credential store',
      });
    }
    if (gaps.length > 0) throw missingCredentialsError(gaps);
  }
}
