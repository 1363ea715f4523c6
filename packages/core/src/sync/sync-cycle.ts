import { randomUUID } from 'node:crypto';
import { accountIdProblem } from '../account-id.js';
import { ContactBackfillEngine } from '../backfill/engine.js';
import { addSummaries, emptySummary } from '../backfill/summary.js';
import { CoreError } from '../errors.js';
import { DEFAULT_LISTING_LIMITS, type ListingLimits } from '../provider/listing-guard.js';
import { ProviderError } from '../provider/provider-error.js';
import { systemClock } from '../util/clock.js';
import { errorMessage } from '../util/error-message.js';
import { silentLogger } from '../util/logger.js';
import { callDeadlineMs, systemCycleTimers } from './call-deadline.js';
import type { CycleContext } from './cycle-context.js';
import { DEFAULT_DELETION_GUARD, type DeletionGuard, type DeletionHold } from './deletion-guard.js';
import { listGroupsIfNeeded, saveListedGroups } from './group-listing.js';
import { applyHeldDeletions } from './held-deletions.js';
import { knownEtagsLookup } from './known-etags-lookup.js';
import { KnownGroups } from './known-groups.js';
import { leaseOwnerId, localLeaseIdentity } from './lease-owner.js';
import { startListing } from './listing-state.js';
import { providerCalls } from './page-fetch.js';
import { retryFailures } from './retry-failures.js';
import { retrySkipsFor } from './retry-skips.js';
import { type ListingOutcome, runListing } from './run-listing.js';
import { ContactsSyncStateStore } from './sync-state-store.js';
import type { SyncCycleOptions, SyncCycleResult } from './sync-types.js';
import { takeLease } from './take-lease.js';

export { RESUMED_SWEEP_WINDOW_MS } from './listing-state.js';

/**
 * Runs one sync of one account: full when asked, when there is no cursor, or when the cursor
 * expired (at once, in the same cycle); incremental otherwise. Pages are applied one at a time,
 * each in one transaction together with its checkpoint, so a crash resumes after the last
 * committed page. A completed full sync tombstones the account's links it did not see, in its last
 * page's transaction (a resumed one too, from the ids its pages recorded, when it resumed within
 * {@link RESUMED_SWEEP_WINDOW_MS}); an incremental listing's deletions are applied at its end.
 * Either way, a listing that would delete every linked contact or too large a share of them
 * (`deletionGuard`) deletes nothing: the deletions are held in the sync state until a person
 * confirms them (`confirmDeletions`, applied first, once) or a full listing judges again.
 * A page token refused mid-listing starts the listing over, once; a listing that repeats a page
 * token or passes the provider's bounds (`listingLimits()`) is stopped (`TEMPORARY`). Every
 * provider call has its own deadline (`callDeadlineMs`, shorter than the lease). Earlier failed
 * contacts are retried at the end. One cycle per account at a time, across processes and hosts (a
 * lease in `contacts_sync_state`, taken over at once from a dead process of this machine): a
 * second one fails with `SYNC_IN_PROGRESS`.
 *
 * The listing's moves are in `listing-state.ts`, its recovery from a failed page in
 * `listing-recovery.ts`, the page loop in `run-listing.ts` and one page's transaction in
 * `commit-page.ts`; this function takes the lease, runs them, and records the outcome.
 *
 * @throws ProviderError from the provider or a stopped listing (after recording it as
 *   `last_error`), CoreError `SYNC_IN_PROGRESS`, `INVALID_CONFIG` (a deadline not shorter than the lease).
 * @example
 * ```ts
 * const result = await runSyncCycle({ db, butlerSchema: 'relationship', provider, accountId: 'default' });
 * console.log(result.mode, result.summary.created);
 * if (result.deletionHold) console.warn(`${result.deletionHold.count} deletions wait for a confirmation`);
 * ```
 */
export async function runSyncCycle(options: SyncCycleOptions): Promise<SyncCycleResult> {
  const { db, butlerSchema, provider, accountId, signal } = options;
  // A host may build its config by hand, past parseContactsConfig: refused here with a sentence
  // rather than by the database with a raw encoding error.
  const accountIdIssue = accountIdProblem(accountId);
  if (accountIdIssue) {
    throw new CoreError('INVALID_CONFIG', `The account id ${JSON.stringify(accountId)} ${accountIdIssue}.`);
  }
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const providerName = provider.name();
  const identity = options.leaseIdentity ?? localLeaseIdentity();
  const owner = options.lockOwner ?? leaseOwnerId(identity, randomUUID());
  const ttlMs = options.lockTtlMs ?? 10 * 60_000;
  const deadlineMs = callDeadlineMs(options.callDeadlineMs, ttlMs);
  const deletionGuard: DeletionGuard = { ...DEFAULT_DELETION_GUARD, ...defined(options.deletionGuard) };
  const listingLimits: ListingLimits = {
    ...DEFAULT_LISTING_LIMITS,
    ...defined(provider.listingLimits()),
    ...defined(options.listingLimits),
  };
  const store = new ContactsSyncStateStore({ db, butlerSchema, clock });
  const started = clock.now().getTime();

  await takeLease(store, { provider: providerName, accountId, owner, ttlMs, identity, logger });
  // Every provider call of this cycle: aborted with the caller's signal, and when the cycle ends
  // (a page prefetched before a failure must not run on unobserved).
  const calls = new AbortController();
  const stop = () => calls.abort(signal?.reason);
  if (signal?.aborted) stop();
  else signal?.addEventListener('abort', stop, { once: true });
  try {
    const state = await store.load(providerName, accountId);
    const listing = startListing({
      requested: options.mode ?? 'auto',
      syncCursor: state.syncCursor,
      checkpoint: state.checkpoint,
      clock,
    });
    const resumed = listing.resumedFrom !== null;
    const scope = { butlerSchema, provider: providerName, accountId };
    const engine = new ContactBackfillEngine({
      db,
      butlerSchema,
      provider: providerName,
      accountId,
      clock,
      logger,
      ...(options.identityLockCap === undefined ? {} : { identityLockCap: options.identityLockCap }),
    });
    const groups = new KnownGroups(state.groups);
    engine.replaceGroups(groups.all());
    const cycle: CycleContext = {
      db,
      provider,
      providerName,
      accountId,
      clock,
      logger,
      store,
      engine,
      groups,
      scope,
      deletionGuard,
      listingLimits,
      lease: { owner, ttlMs },
      knownEtags: knownEtagsLookup(db, scope),
      call: providerCalls({
        provider: providerName,
        deadlineMs,
        signal: calls.signal,
        timers: options.timers ?? systemCycleTimers,
      }),
      signal,
      onProgress: options.onProgress,
    };
    logger.info('contacts_sync_started', {
      provider: providerName,
      account_id: accountId,
      mode: listing.kind,
      resumed,
    });
    let outcome: ListingOutcome;
    let confirmedDeletions = 0;
    try {
      const summary = emptySummary();
      let hold: DeletionHold | null = state.deletionHold;
      if (options.confirmDeletions) {
        confirmedDeletions = await confirmHeldDeletions(cycle, hold);
        summary.deleted += confirmedDeletions;
        hold = null;
      }
      // A full listing lists the groups first; an incremental one only for a page that names a
      // group not known (a quiet poll: none).
      if (listing.kind === 'full') await listGroupsIfNeeded(cycle, 'full', []);
      // Read only when the account has failures: what the retry at the end must skip.
      const skips = await retrySkipsFor(db, scope, state.failedContacts);
      outcome = await runListing(cycle, { listing, summary, hold, skips });
      if (outcome.completed) {
        const retried = await retryFailures(db, scope, engine, outcome.skips, (payloads) =>
          listGroupsIfNeeded(cycle, 'incremental', payloads),
        );
        outcome.summary = addSummaries(outcome.summary, retried);
        // The retry came after the last page's commit: groups it listed are stored here.
        await saveListedGroups(cycle);
      }
    } catch (error) {
      const message = (options.redact ?? ((text: string) => text))(errorMessage(error));
      // A cycle that lost its lease no longer speaks for the account: the holder's outcome stands.
      // (A call stuck past the lease, say in a process frozen mid-page, fails by its deadline
      // only after another cycle took over.)
      const leaseLost =
        (error instanceof CoreError && error.code === 'SYNC_IN_PROGRESS') ||
        !(await store.isLeaseOwner(providerName, accountId, owner));
      const code = error instanceof ProviderError || error instanceof CoreError ? error.code : null;
      if (!leaseLost) {
        await store.save(providerName, accountId, { lastError: message.slice(0, 2000), lastErrorCode: code });
      }
      logger.error('contacts_sync_failed', { provider: providerName, account_id: accountId, error: message });
      throw error;
    }
    const { completed, pages, summary } = outcome;
    const mode = outcome.listing.kind;
    const durationMs = clock.now().getTime() - started;
    logger.info('contacts_sync_finished', {
      provider: providerName,
      account_id: accountId,
      mode,
      completed,
      pages,
      durationMs,
      ...summary,
    });
    return {
      provider: providerName,
      accountId,
      mode,
      summary,
      pages,
      cursorExpired: outcome.listing.cursorExpired,
      resumed,
      completed,
      tombstonedUnseen: outcome.tombstonedUnseen,
      confirmedDeletions,
      deletionHold: outcome.hold,
      durationMs,
    };
  } finally {
    signal?.removeEventListener('abort', stop);
    calls.abort();
    await store.releaseLease(providerName, accountId, owner);
  }
}

/**
 * Applies the deletions held for the account, as a person confirmed them: what they saw in the
 * status, and only that (later listings are guarded again). Returns the links tombstoned.
 */
async function confirmHeldDeletions(cycle: CycleContext, hold: DeletionHold | null): Promise<number> {
  const { providerName, accountId, logger } = cycle;
  if (!hold) {
    logger.info('contacts_sync_no_deletions_held', { provider: providerName, account_id: accountId });
    return 0;
  }
  const now = cycle.clock.now();
  const tombstoned = await cycle.db.transaction((tx) => applyHeldDeletions(tx, cycle.scope, now));
  logger.info('contacts_sync_deletions_confirmed', {
    provider: providerName,
    account_id: accountId,
    held: hold.count,
    tombstoned,
  });
  return tombstoned;
}

/** `value` without its undefined members, so spreading it never erases a default. */
function defined<T extends object>(value: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}
