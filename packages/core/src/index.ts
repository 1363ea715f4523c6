export { accountIdProblem } from './account-id.js';
export { ACTIVITY_TYPES } from './backfill/activity.js';
export { type DesiredContact, toDesiredContact } from './backfill/desired-contact.js';
export { type BackfillEngineOptions, ContactBackfillEngine } from './backfill/engine.js';
export type {
  ButlerSourceRecord,
  ProvenanceMetadata,
  SourceRecord,
  SourcesMetadata,
} from './backfill/provenance-codec.js';
export {
  ContactBackfillResolver,
  type ExistingLink,
  type Resolution,
  type ResolutionStrategy,
  type ResolverOptions,
} from './backfill/resolver.js';
export { addSummaries, type BackfillSummary, emptySummary } from './backfill/summary.js';
export {
  ContactsConfig,
  type ContactsConfigInput,
  ContactsSourceTable,
  ContactsSyncConfig,
  contactsConfigSchema,
  formatSettingsIssues,
  type ParseContactsConfigOptions,
  parseContactsConfig,
} from './config.js';
export { CoreError, type CoreErrorCode } from './errors.js';
export {
  createGuardedFetch,
  defaultFetch,
  type FetchLike,
  type GuardedFetchOptions,
} from './http/guarded-fetch.js';
export { findHttpGuardError, HttpGuardError, type HttpGuardErrorCode } from './http/http-guard-error.js';
export { credentialUrlProblem, isLoopbackHost } from './http/secure-url.js';
export {
  CanonicalContact,
  type CanonicalContactInput,
  CanonicalGroup,
  ContactAddress,
  ContactDate,
  ContactEmail,
  ContactOrganization,
  ContactPhone,
  ContactPhoto,
  ContactUrl,
  ContactUsername,
} from './model/canonical-contact.js';
export { ContactBatch, type ParsedContactBatch } from './model/contact-batch.js';
export { describeContact, formatIssues, parseCanonicalContact } from './model/parse-contact.js';
export {
  ContactsProvider,
  type FullSyncRequest,
  type IncrementalSyncRequest,
} from './provider/contacts-provider.js';
export {
  ACCOUNT_KEY_SEPARATOR,
  type AuthorizeContext,
  type AuthorizeInput,
  type CredentialRequirement,
  credentialKey,
  descriptorUpstream,
  type ProviderAuthorization,
  type ProviderCreateContext,
  type ProviderDescriptor,
  type ProviderSettingEnv,
  type UpstreamContext,
} from './provider/descriptor.js';
export { type KnownEtags, MAX_KNOWN_ETAG_IDS } from './provider/known-etags.js';
export {
  DEFAULT_LISTING_LIMITS,
  ListingGuard,
  type ListingGuardOptions,
  type ListingLimits,
} from './provider/listing-guard.js';
export {
  PROVIDER_ERROR_CODES,
  ProviderError,
  type ProviderErrorCode,
  type ProviderErrorOptions,
  type RateLimitScope,
  toProviderError,
} from './provider/provider-error.js';
export { type ProviderFactory, ProviderRegistry } from './provider/registry.js';
export { type BackoffPolicy, backoffDelay, DEFAULT_BACKOFF } from './sync/backoff.js';
export { type CycleTimers, systemCycleTimers } from './sync/call-deadline.js';
export {
  DEFAULT_DELETION_GUARD,
  type DeletionGuard,
  type DeletionHold,
  holdsDeletions,
} from './sync/deletion-guard.js';
export { knownEtagsLookup } from './sync/known-etags-lookup.js';
export {
  holderIsDeadHere,
  type LeaseIdentity,
  leaseOwnerId,
  localLeaseIdentity,
} from './sync/lease-owner.js';
export { runSyncCycle } from './sync/sync-cycle.js';
export {
  type RecordSyncOutcomeOptions,
  recordSyncOutcome,
  syncOutcomeOf,
  syncPolicyState,
} from './sync/sync-outcome.js';
export {
  type AfterCycleAction,
  type CodePolicy,
  decideSync,
  fullSyncDueAt,
  type ListingAction,
  type ListingPosition,
  listingAction,
  PARKED_REASONS,
  type ParkedReason,
  planWake,
  SYNC_POLICY,
  SYNC_POLICY_COLUMNS,
  type SyncAction,
  type SyncDecision,
  type SyncOutcome,
  type SyncPolicyState,
  type SyncSchedule,
  syncPolicyMarkdown,
  syncPolicyRow,
} from './sync/sync-policy.js';
export {
  ContactsSyncStateStore,
  type SyncState,
  type SyncStatePatch,
  type SyncStateStoreOptions,
} from './sync/sync-state-store.js';
export type { SyncCycleOptions, SyncCycleResult, SyncMode, SyncProgress } from './sync/sync-types.js';
export { daysInMonth, formatCalendarDate } from './util/calendar.js';
export { type Clock, systemClock } from './util/clock.js';
export { addressCountryCode, isCountryCode } from './util/country-code.js';
export { errorMessage } from './util/error-message.js';
export { heapGrowthFlag, limitHeapGrowth, SYNC_HEAP_GROWING_PERCENT } from './util/heap-growth.js';
export { type LogFields, type Logger, silentLogger } from './util/logger.js';
export {
  isoCountry,
  normalizeEmail,
  normalizePhone,
  normalizeUsername,
  normalizeWebsite,
  phoneE164,
  phoneNumbers,
} from './util/normalize.js';
export { MIN_SECRET_LENGTH, redactSecrets, secretPattern } from './util/redact-secrets.js';
