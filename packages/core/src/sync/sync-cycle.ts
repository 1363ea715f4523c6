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
import { ProviderError, toProviderError } from '../provider/provider-error.js';
import { systemClock } from '../util/clock.js';
import { errorMessage } from '../util/error-message.js';
import { type Logger, silentLogger } from '../util/logger.js';
import { clearFullSyncSeen, recordFullSyncSeen, tombstoneUnseen } from './full-sync-seen.js';
import { holderIsDeadHere, type LeaseIdentity, leaseOwnerId, localLeaseIdentity } from './lease-owner.js';
import { ContactsSyncStateStore } from './sync-state-store.js';
import type { SyncCycleOptions, SyncCycleResult } from './sync-types.js';

/** Where an interrupted cycle resumes: stored with every page, cleared when the cycle completes. */
interface Checkpoint {
  mode: 'full' | 'incremental';
  pageToken: string;
  cursor: string | null;
  /** The provider's own checkpoint for the page, kept for its diagnostics. */
  provider?: Record<string, unknown> | null;
  /**
   * A full sync whose every committed page recorded what it saw (`contacts_sync_seen`) since its
   * first page: resumed, it can still tombstone the links it never saw.
   */
  seenRecorded?: boolean;
  /** When the page was committed (ISO 8601): how long ago a resumed full sync last listed. */
  savedAt?: string;
}

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

function readCheckpoint(value: Record<string, unknown> | null): Checkpoint | null {
  if (!value) return null;
  const { mode, pageToken, cursor, seenRecorded, savedAt } = value;
  if ((mode !== 'full' && mode !== 'incremental') || typeof pageToken !== 'string') return null;
  return {
    mode,
    pageToken,
    cursor: typeof cursor === 'string' ? cursor : null,
    seenRecorded: seenRecorded === true,
    ...(typeof savedAt === 'string' ? { savedAt } : {}),
  };
}

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
 * {@link RESUMED_SWEEP_WINDOW_MS}). A page token refused mid-listing starts the listing over, once.
 * Earlier failed contacts are retried at the end. One cycle per account at a time, across processes
 * and hosts (a lease in `contacts_sync_state`, taken over at once from a dead process of this
 * machine): a second one fails with `SYNC_IN_PROGRESS`.
 *
 * @throws ProviderError from the provider (after recording it as `last_error`), CoreError `SYNC_IN_PROGRESS`.
 * @example
 * ```ts
 * const result = await runSyncCycle({ db, butlerSchema: 'relationship', provider, accountId: 'default' });
 * console.log(result.mode, result.summary.created);
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
  const store = new ContactsSyncStateStore({ db, butlerSchema, clock });
  const started = clock.now().getTime();

  if (!(await acquireOrTakeOver(store, providerName, accountId, owner, ttl, identity, logger))) {
    throw new CoreError(
      'SYNC_IN_PROGRESS',
      `A sync of ${providerName} (${accountId}) is already running elsewhere; try again when it has finished.`,
    );
  }
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
    // The next page is the first of a full sync: what an abandoned one recorded is forgotten.
    let fullStartsOver = !resumed && mode === 'full';
    const seenScope = { butlerSchema, provider: providerName, accountId };
    let cursorExpired = false;
    let listingRestarted = false;
    let summary = emptySummary();
    let pages = 0;
    let completed = false;
    let tombstonedUnseen = 0;
    const seen = new Set<string>();

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
      engine.setGroups(await provider.listGroups());
      // Settled, never rejected: a prefetched page's failure is handled when its turn comes.
      const fetchSettled = (token: string | null): Promise<Fetched> =>
        fetchPage(provider, mode, cursor, token, signal).then(
          (batch) => ({ batch }),
          (error: unknown) => ({ error }),
        );
      let prefetched: Promise<Fetched> | null = null;
      while (!signal?.aborted) {
        const fetched: Fetched = await (prefetched ?? fetchSettled(pageToken));
        prefetched = null;
        if ('error' in fetched) {
          const error = fetched.error;
          // Stopped while a page was in flight: not a failure; the checkpoint resumes it.
          if (signal?.aborted) break;
          const err = toProviderError(error, providerName);
          if (err.code === 'CURSOR_EXPIRED' && mode === 'incremental') {
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
            fullStartsOver = true;
            continue;
          }
          if (pageToken !== null && err.code === 'PERMANENT' && !listingRestarted) {
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
            fullStartsOver = mode === 'full';
            continue;
          }
          throw err;
        }
        const batch = fetched.batch;
        checkpoint = null;
        if (batch.groups) engine.setGroups(batch.groups);
        const last = !batch.next_page_token;
        // The next page travels while this one is written: fetching and writing overlap.
        if (!last) prefetched = fetchSettled(batch.next_page_token!);
        const now = clock.now();
        const pageSummary = await db.transaction(async (tx) => {
          // `seen` keeps this cycle's own failures out of the retry at its end; a full sync
          // also records it per page, for the unseen-link check when it completes.
          const pageSeen = new Set<string>();
          const result = await engine.applyBatchIn(tx, batch.contacts, { seen: pageSeen });
          for (const id of pageSeen) seen.add(id);
          if (mode === 'full') {
            if (fullStartsOver) await clearFullSyncSeen(tx, seenScope);
            await recordFullSyncSeen(tx, seenScope, pageSeen);
            if (last && knowsWhatItSaw) {
              tombstonedUnseen = await tombstoneUnseen(tx, seenScope, now);
              result.deleted += tombstonedUnseen;
            } else if (last) {
              logger.info('contacts_sync_unseen_check_skipped', {
                provider: providerName,
                reason: 'resumed a full sync too late, or one that did not record what it saw',
              });
              await clearFullSyncSeen(tx, seenScope);
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
          return result;
        });
        pages += 1;
        fullStartsOver = false;
        summary = addSummaries(summary, pageSummary);
        options.onProgress?.({ mode, page: pages, summary });
        logger.debug('contacts_sync_page', { provider: providerName, page: pages, ...pageSummary });
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
      const leaseLost = error instanceof CoreError && error.code === 'SYNC_IN_PROGRESS';
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
      durationMs,
    };
  } finally {
    await store.releaseLease(providerName, accountId, owner);
  }
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
