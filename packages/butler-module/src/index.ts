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
  registerContactsTools,
} from './tools/index.js';
