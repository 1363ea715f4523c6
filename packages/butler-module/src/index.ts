// What a host's own code names when it calls the module (its logger, its drizzle database, the
// config it validates, the errors it catches, the provider it may inject), re-exported so that a
// host imports them from this package alone and never pins @contacts/core or @contacts/schema.
export {
  type BackfillSummary,
  type Clock,
  ContactsConfig,
  type ContactsConfigInput,
  ContactsProvider,
  CoreError,
  type CoreErrorCode,
  type DeletionHold,
  type LogFields,
  type Logger,
  ProviderError,
  type ProviderErrorCode,
  parseContactsConfig,
  type SyncCycleResult,
  type SyncMode,
  type SyncProgress,
  silentLogger,
  systemClock,
} from '@contacts/core';
export {
  type ContactsDatabase,
  DEFAULT_BUTLER_SCHEMA,
  type MigrateOptions,
  type MigrateResult,
  SchemaError,
  type SchemaErrorCode,
} from '@contacts/schema';
export type {
  CredentialStore,
  SecretInfo,
  SecretsAtRest,
  SecretsKeyRotation,
  SetSecretOptions,
} from './credentials/credential-store.js';
export { DbCredentialStore, type DbCredentialStoreOptions } from './credentials/db-credential-store.js';
export {
  credentialsRevision,
  GOOGLE_CREDENTIAL_KEYS,
  type GoogleCredentialKey,
  type GoogleCredentials,
  resolveGoogleCredentials,
} from './credentials/google-credentials.js';
export { SecretsKey } from './credentials/secrets-key.js';
export {
  credentialStoreMissingError,
  type MissingSourceCredentials,
  missingCredentialsError,
  readSourceCredentials,
  type SourceCredentials,
  sourceCredentialsRevision,
} from './credentials/source-credentials.js';
export { ContactsModuleError, type ContactsModuleErrorCode } from './errors.js';
export { type ConfiguredSource, configuredSources } from './module/configured-sources.js';
export { ContactsModule, type ContactsStartupOptions } from './module/contacts-module.js';
export {
  CredentialStoreProviderSource,
  type CredentialStoreProviderSourceOptions,
} from './module/credential-provider-source.js';
export {
  defaultProviderRegistry,
  SUPPORTED_PROVIDERS,
  type SupportedProvider,
} from './module/default-registry.js';
export {
  type ContactsProviderFactory,
  defaultProviderFactory,
  type LegacyEndpointOptions,
  type ProviderFactoryRequest,
} from './module/legacy-options.js';
export { redactingLogger, SecretRedactor } from './redact.js';
export { type BackoffPolicy, backoffDelay, DEFAULT_BACKOFF } from './runtime/backoff.js';
export { fixedProviderSource, type ProviderSource } from './runtime/provider-source.js';
export type {
  ContactsSyncRuntimeOptions,
  RuntimeErrorInfo,
  RuntimeState,
  SyncNowOptions,
  SyncRuntimeStatus,
} from './runtime/runtime-types.js';
export { ContactsSyncRuntime } from './runtime/sync-runtime.js';
export { systemTimers, type Timers } from './runtime/timers.js';
export {
  type ListSourcesOptions,
  listSources,
  type SourceReport,
  type SourceStatus,
} from './status/source-list.js';
export { type ReadSyncStatusOptions, readSyncStatus, type SyncStatusReport } from './status/sync-status.js';
export {
  CONTACTS_TOOL_NAMES,
  type ContactsToolContext,
  type ContactsToolEnvironment,
  type FleetSyncRequests,
  registerContactsTools,
} from './tools/index.js';
