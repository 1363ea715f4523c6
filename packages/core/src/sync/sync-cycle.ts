import { randomUUID } from 'node:crypto';
import { type ContactsDatabase, queryRows } from '@contacts/schema';
import { sql } from 'drizzle-orm';
import { accountIdProblem } from '../account-id.js';
import { ContactBackfillEngine } from '../backfill/engine.js';
import { addSummaries, emptySummary } from '../backfill/summary.js';
import { CoreError } from '../errors.js';
import { ContactBatch, type ParsedContactBatch } from '../model/contact-batch.js';
import { formatIssues } from '../model/parse-contact.js';
import type { ContactsProvider } from '../provider/contacts-provider.js';
import { DEFAULT_LISTING_LIMITS, ListingGuard, type ListingLimits } from '../provider/listing-guard.js';
import { ProviderError, toProviderError } from '../provider/provider-error.js';
import { systemClock } from '../util/clock.js';
import { errorMessage } from '../util/error-message.js';
import { type Logger, silentLogger } from '../util/logger.js';
import { callDeadlineMs, callWithDeadline, systemCycleTimers } from './call-deadline.js';
import { type Checkpoint, readCheckpoint } from './checkpoint.js';
import { DEFAULT_DELETION_GUARD, type DeletionGuard, type DeletionHold } from './deletion-guard.js';
import { clearListingIds, recordListingIds, sweepUnseen } from './full-sync-seen.js';
import {
  applyHeldDeletions,
  clearDeletionHold,
  planIncrementalPage,
  saveDeletionHold,
} from './held-deletions.js';
import { holderIsDeadHere, type LeaseIdentity, leaseOwnerId, localLeaseIdentity } from './lease-owner.js';
import { listingAction } from './sync-policy.js';
import { ContactsSyncStateStore } from './sync-state-store.js';
import type { SyncCycleOptions, SyncCycleResult } from './sync-types.js';

/** A page fetch that has settled: its batch, or what it failed with. */
type Fetched = { batch: ParsedContactBatch } | { error: unknown };

const RETRY_FAILURES_LIMIT = 1000;

/**
 * A full sync resumed later than this after its last committed page does not tombstone what it
 * never saw: a listing whose page tokens are positions skips the contacts that moved across the
 * resume point meanwhile (a deletion before it shifts the rest), and deleting wrongly is worse
 * than deleting late. The next full sync from its first page does it.
 */
export const RESUMED_SWEEP_WINDOW_MS = 10 * 60_000;

async function fetchPage(
  provider: ContactsProvider,
  mode: 'full' | 'incremental',
  cursor: string | null,
  pageToken: string | null,
  signal: AbortSignal | undefined,
) {
  const raw =
    mode === 'full'
      ? await provider.fullSync({ pageToken, signal })
      : await provider.incrementalSync({ cursor: cursor ?? '', pageToken, signal });
  const parsed = ContactBatch.safeParse(raw);
  if (!parsed.success) {
    throw new ProviderError(
      'TEMPORARY',
      `Provider ${provider.name()} returned a malformed page: ${formatIssues(parsed.error)}`,
      {
        provider: provider.name(),
      },
    );
  }
  return parsed.data;
}

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
  const ttl = options.lockTtlMs ?? 10 * 60_000;
  const deadlineMs = callDeadlineMs(options.callDeadlineMs, ttl);
  const timers = options.timers ?? systemCycleTimers;
  const guard: DeletionGuard = { ...DEFAULT_DELETION_GUARD, ...defined(options.deletionGuard) };
  const limits: ListingLimits = {
    ...DEFAULT_LISTING_LIMITS,
    ...defined(provider.listingLimits()),
    ...defined(options.listingLimits),
  };
  const store = new ContactsSyncStateStore({ db, butlerSchema, clock });
  const started = clock.now().getTime();

  if (!(await acquireOrTakeOver(store, providerName, accountId, owner, ttl, identity, logger))) {
    throw new CoreError(
      'SYNC_IN_PROGRESS',
      `A sync of ${providerName} (${accountId}) is already running elsewhere; try again when it has finished.`,
    );
  }
  // Every provider call of this cycle: aborted with the caller's signal, and when the cycle ends
  // (a page prefetched before a failure must not run on unobserved).
  const calls = new AbortController();
  const stop = () => calls.abort(signal?.reason);
  if (signal?.aborted) stop();
  else signal?.addEventListener('abort', stop, { once: true });
  try {
    const state = await store.load(providerName, accountId);
    const requested = options.mode ?? 'auto';
    let checkpoint = requested === 'full' ? null : readCheckpoint(state.checkpoint);
    let mode: 'full' | 'incremental' =
      checkpoint?.mode ?? (requested === 'full' || !state.syncCursor ? 'full' : 'incremental');
    let cursor = checkpoint?.cursor ?? state.syncCursor;
    let pageToken = checkpoint?.pageToken ?? null;
    const resumed = checkpoint !== null;
    // Whether this full sync can prove what it saw when it completes: it begins at its first page
    // here, or it resumes, within RESUMED_SWEEP_WINDOW_MS of its last page, one whose committed
    // pages recorded what they saw.
    const resumedSoon =
      checkpoint?.savedAt !== undefined &&
      clock.now().getTime() - Date.parse(checkpoint.savedAt) <= RESUMED_SWEEP_WINDOW_MS;
    let knowsWhatItSaw = mode === 'full' && (!resumed || (checkpoint?.seenRecorded === true && resumedSoon));
    // The next page is the first of a listing: what an abandoned one recorded is forgotten. (A
    // listing that ended or never recorded anything left no rows: a fresh incremental listing
    // only clears when a checkpoint, discarded now, says one may have.)
    let listingStartsOver = !resumed && (mode === 'full' || state.checkpoint !== null);
    // An incremental listing recorded deletions on an earlier page (see takeDeletions).
    let deletionsRecorded = checkpoint?.deletionsRecorded === true;
    const seenScope = { butlerSchema, provider: providerName, accountId };
    let cursorExpired = false;
    let listingRestarted = false;
    let summary = emptySummary();
    let pages = 0;
    let completed = false;
    let tombstonedUnseen = 0;
    let confirmedDeletions = 0;
    let hold: DeletionHold | null = state.deletionHold;
    const seen = new Set<string>();
    const call = <T>(what: string, run: (callSignal: AbortSignal) => Promise<T>) =>
      callWithDeadline({ provider: providerName, what, deadlineMs, run, signal: calls.signal, timers });
    // Stops a listing that loops or never ends; a resumed one keeps the pages it already took.
    const watchListing = (from: Checkpoint | null) =>
      new ListingGuard({
        provider: providerName,
        listing: `${mode} contacts listing`,
        itemName: 'contacts',
        // An incremental listing may carry each contact twice: once deleted, once new.
        limits: mode === 'full' ? limits : { maxPages: limits.maxPages * 2, maxItems: limits.maxItems * 2 },
        resumeToken: from?.pageToken ?? null,
        pagesBefore: from?.pages ?? 0,
        itemsBefore: from?.items ?? 0,
      });
    let listing = watchListing(checkpoint);

    const engine = new ContactBackfillEngine({
      db,
      butlerSchema,
      provider: providerName,
      accountId,
      clock,
      logger,
    });
    logger.info('contacts_sync_started', { provider: providerName, account_id: accountId, mode, resumed });
    try {
      if (options.confirmDeletions) {
        if (hold) {
          // What the person saw in the status, and only that: later listings are guarded again.
          const now = clock.now();
          confirmedDeletions = await db.transaction((tx) => applyHeldDeletions(tx, seenScope, now));
          summary.deleted += confirmedDeletions;
          logger.info('contacts_sync_deletions_confirmed', {
            provider: providerName,
            account_id: accountId,
            held: hold.count,
            tombstoned: confirmedDeletions,
          });
          hold = null;
        } else {
          logger.info('contacts_sync_no_deletions_held', { provider: providerName, account_id: accountId });
        }
      }
      engine.setGroups(await call('listGroups', (callSignal) => provider.listGroups(callSignal)));
      // Settled, never rejected: a prefetched page's failure is handled when its turn comes.
      const fetchSettled = (token: string | null, page: number): Promise<Fetched> =>
        call(`${mode}Sync (page ${page})`, (callSignal) =>
          fetchPage(provider, mode, cursor, token, callSignal),
        ).then(
          (batch) => ({ batch }),
          (error: unknown) => ({ error }),
        );
      let prefetched: Promise<Fetched> | null = null;
      while (!signal?.aborted) {
        const fetched: Fetched = await (prefetched ?? fetchSettled(pageToken, listing.pages + 1));
        prefetched = null;
        if ('error' in fetched) {
          const error = fetched.error;
          // Stopped while a page was in flight: not a failure; the checkpoint resumes it.
          if (signal?.aborted) break;
          const err = toProviderError(error, providerName);
          // The sync policy says whether the listing goes on (sync-policy.ts).
          const next = listingAction(err.code, {
            mode,
            pageToken: pageToken !== null,
            restarted: listingRestarted,
          });
          if (next === 'full_sync_now') {
            logger.warn('contacts_sync_cursor_expired', { provider: providerName, account_id: accountId });
            await store.save(providerName, accountId, {
              syncCursor: null,
              cursorIssuedAt: null,
              checkpoint: null,
            });
            cursorExpired = true;
            mode = 'full';
            cursor = null;
            pageToken = null;
            checkpoint = null;
            knowsWhatItSaw = true;
            listingStartsOver = true;
            deletionsRecorded = false;
            listing = watchListing(null);
            continue;
          }
          if (next === 'restart_listing') {
            // A page token is no longer accepted (the one a crashed cycle left, or one that died
            // mid-listing): start this listing over, once per cycle. Pages already applied come
            // again unchanged and cost no writes; a second refusal is reported, not looped on.
            listingRestarted = true;
            logger.warn(
              checkpoint ? 'contacts_sync_checkpoint_discarded' : 'contacts_sync_listing_restarted',
              {
                provider: providerName,
                error: err.message,
              },
            );
            checkpoint = null;
            pageToken = null;
            knowsWhatItSaw = mode === 'full';
            listingStartsOver = true;
            deletionsRecorded = false;
            listing = watchListing(null);
            continue;
          }
          throw err;
        }
        const batch = fetched.batch;
        // Before the page is used: a listing that loops or never ends stops here, at its last
        // committed checkpoint, without fetching on or writing what it was sent beyond its bounds.
        listing.accept(batch.contacts.length, batch.next_page_token);
        checkpoint = null;
        if (batch.groups) engine.setGroups(batch.groups);
        const last = !batch.next_page_token;
        // The next page travels while this one is written: fetching and writing overlap.
        if (!last) prefetched = fetchSettled(batch.next_page_token!, listing.pages + 1);
        const now = clock.now();
        const page = await db.transaction(async (tx) => {
          if (listingStartsOver) await clearListingIds(tx, seenScope);
          // `seen` keeps this cycle's own failures out of the retry at its end (and those of
          // contacts deleted at the source); a full sync also records it per page, for the
          // unseen-link check when it completes.
          const pageSeen = new Set<string>();
          let held: DeletionHold | null | undefined;
          let contacts: readonly unknown[] = batch.contacts;
          let recorded = deletionsRecorded;
          if (mode === 'incremental') {
            const plan = await planIncrementalPage(tx, seenScope, { contacts, last, recorded, now, guard });
            for (const id of plan.deleted) seen.add(id);
            ({ contacts, held, recorded } = plan);
          }
          const result = await engine.applyBatchIn(tx, contacts, { seen: pageSeen });
          // Deletions recorded on earlier pages were fetched there; held ones were fetched here.
          result.fetched = batch.contacts.length;
          for (const id of pageSeen) seen.add(id);
          if (mode === 'full') {
            await recordListingIds(tx, seenScope, pageSeen);
            if (last && knowsWhatItSaw) {
              // The whole account was judged: its verdict replaces any earlier hold.
              const swept = await sweepUnseen(tx, seenScope, now, guard);
              tombstonedUnseen = swept.tombstoned;
              result.deleted += swept.tombstoned;
              if (swept.held) {
                const { ids, of } = swept.held;
                const count = await saveDeletionHold(tx, seenScope, { mode, ids, of, listedAt: now }, false);
                held = { mode, count, of, listedAt: now };
              } else {
                if (hold) await clearDeletionHold(tx, seenScope);
                held = null;
              }
            } else if (last) {
              logger.info('contacts_sync_unseen_check_skipped', {
                provider: providerName,
                reason: 'resumed a full sync too late, or one that did not record what it saw',
              });
              await clearListingIds(tx, seenScope);
            }
          }
          const txStore = store.withDb(tx);
          if (last) {
            await txStore.save(providerName, accountId, {
              syncCursor: batch.next_sync_cursor ?? (mode === 'incremental' ? cursor : null),
              ...(mode === 'full'
                ? { cursorIssuedAt: now, lastFullSyncAt: now }
                : { lastIncrementalSyncAt: now }),
              lastSuccessAt: now,
              lastError: null,
              lastErrorCode: null,
              checkpoint: null,
            });
          } else {
            const next: Checkpoint = {
              mode,
              pageToken: batch.next_page_token!,
              cursor,
              provider: batch.checkpoint ?? null,
              pages: listing.pages,
              items: listing.items,
              ...(recorded ? { deletionsRecorded: true } : {}),
              ...(mode === 'full' ? { seenRecorded: knowsWhatItSaw, savedAt: now.toISOString() } : {}),
            };
            await txStore.save(providerName, accountId, { checkpoint: { ...next } });
          }
          // Renewed with every page; lost (expired, and taken by another process) means this
          // cycle must stop before its page commits, or two cycles would write one account. Only
          // renewed, never re-taken: once free again, the lease was released by a cycle that ran
          // after this one lost it, and this one's pages and seen ids are stale.
          if (!(await txStore.renewLease(providerName, accountId, owner, ttl))) {
            throw new CoreError(
              'SYNC_IN_PROGRESS',
              `The sync lease of ${providerName} (${accountId}) expired and another sync took it; this one stopped without committing its page.`,
            );
          }
          return { result, held, recorded };
        });
        pages += 1;
        listingStartsOver = false;
        deletionsRecorded = page.recorded;
        summary = addSummaries(summary, page.result);
        if (page.held !== undefined) hold = page.held;
        if (page.held) {
          logger.warn('contacts_sync_deletions_held', {
            provider: providerName,
            account_id: accountId,
            mode,
            count: page.held.count,
            of: page.held.of,
          });
        }
        options.onProgress?.({ mode, page: pages, summary });
        logger.debug('contacts_sync_page', { provider: providerName, page: pages, ...page.result });
        if (last) {
          completed = true;
          break;
        }
        pageToken = batch.next_page_token!;
      }
      if (completed)
        summary = addSummaries(
          summary,
          await retryFailures(db, butlerSchema, engine, providerName, accountId, seen),
        );
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
      cursorExpired,
      resumed,
      completed,
      tombstonedUnseen,
      confirmedDeletions,
      deletionHold: hold,
      durationMs,
    };
  } finally {
    signal?.removeEventListener('abort', stop);
    calls.abort();
    await store.releaseLease(providerName, accountId, owner);
  }
}

/** `value` without its undefined members, so spreading it never erases a default. */
function defined<T extends object>(value: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Takes the account's lease; when another holds it, takes it over only from a process of this
 * machine that no longer runs (killed mid-sync: its lease would otherwise block for the TTL).
 */
async function acquireOrTakeOver(
  store: ContactsSyncStateStore,
  provider: string,
  accountId: string,
  owner: string,
  ttl: number,
  identity: LeaseIdentity,
  logger: Logger,
): Promise<boolean> {
  if (await store.acquireLease(provider, accountId, owner, ttl)) return true;
  const holder = await store.leaseHolder(provider, accountId);
  if (!holder || !holderIsDeadHere(holder, identity)) return false;
  const taken = await store.takeOverLease(provider, accountId, holder, owner, ttl);
  if (taken)
    logger.warn('contacts_sync_lease_taken_over', {
      provider,
      account_id: accountId,
      reason: 'holder process is gone',
    });
  return taken;
}

/** Applies again the contacts that failed in earlier cycles and were not seen in this one. */
async function retryFailures(
  db: ContactsDatabase,
  butlerSchema: string,
  engine: ContactBackfillEngine,
  provider: string,
  accountId: string,
  seen: Set<string>,
) {
  const s = sql.identifier(butlerSchema);
  const rows = await queryRows<{ id: string; raw: string | null }>(
    db,
    sql`select external_contact_id as id, raw::text as raw from ${s}.contacts_sync_failures
      where provider = ${provider} and account_id = ${accountId} and raw is not null
      order by last_failed_at limit ${RETRY_FAILURES_LIMIT}`,
  );
  const payloads = rows.filter((r) => !seen.has(r.id) && r.raw).map((r) => JSON.parse(r.raw!) as unknown);
  if (payloads.length === 0) return emptySummary();
  const result = await engine.applyBatch(payloads);
  // Retries are not new fetches.
  return { ...result, fetched: 0 };
}
