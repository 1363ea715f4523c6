/**
 * What every part of one sync cycle works with, resolved once from its options (defaults
 * applied, the lease's owner chosen) by `runSyncCycle` and passed to the page loop, the page's
 * commit and the recovery of a listing.
 */
import type { ContactsDatabase } from '@contacts/schema';
import type { ContactBackfillEngine } from '../backfill/engine.js';
import type { ContactsProvider } from '../provider/contacts-provider.js';
import type { KnownEtags } from '../provider/known-etags.js';
import type { ListingLimits } from '../provider/listing-guard.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { DeletionGuard } from './deletion-guard.js';
import type { SeenScope } from './full-sync-seen.js';
import type { KnownGroups } from './known-groups.js';
import type { ProviderCall } from './page-fetch.js';
import type { ContactsSyncStateStore } from './sync-state-store.js';
import type { SyncProgress } from './sync-types.js';

/**
 * One cycle of one account, as its parts see it.
 *
 * @example
 * ```ts
 * const page = await cycle.call('fullSync (page 1)', (signal) => cycle.provider.fullSync({ signal }));
 * ```
 */
export interface CycleContext {
  db: ContactsDatabase;
  provider: ContactsProvider;
  /** `provider.name()`, read once. */
  providerName: string;
  accountId: string;
  clock: Clock;
  logger: Logger;
  store: ContactsSyncStateStore;
  engine: ContactBackfillEngine;
  /** The account's groups as this cycle knows them (the engine names labels after them). */
  groups: KnownGroups;
  /** The account's rows of `contacts_sync_seen` (and of the held deletions). */
  scope: SeenScope;
  deletionGuard: DeletionGuard;
  /** Bounds of one full listing (an incremental one may take twice as much). */
  listingLimits: ListingLimits;
  /** The lease this cycle holds, renewed with every page. */
  lease: { owner: string; ttlMs: number };
  /** The versions the account's links hold, handed to every page request. */
  knownEtags: KnownEtags;
  /** A provider call of this cycle: under its deadline, aborted when the cycle stops. */
  call: ProviderCall;
  /** The caller's signal: the page loop stops between pages once it is aborted. */
  signal: AbortSignal | undefined;
  onProgress: ((progress: SyncProgress) => void) | undefined;
}
