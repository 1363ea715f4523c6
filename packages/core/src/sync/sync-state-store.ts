import { butlerTables, type ContactsDatabase, queryRows } from '@contacts/schema';
import { and, eq, sql } from 'drizzle-orm';
import { storableText } from '../backfill/desired-contact.js';
import { type Clock, systemClock } from '../util/clock.js';
import type { DeletionHold } from './deletion-guard.js';
import { readStoredGroups, type StoredGroups } from './known-groups.js';
import { PARKED_REASONS, type ParkedReason } from './sync-policy.js';

/**
 * The sync state of one (provider, account), as `contacts_sync_state` holds it, plus the
 * contact count (live source links) and the number of contacts waiting in the failure table.
 *
 * @example
 * ```ts
 * const state: SyncState = await store.load('google', 'default');
 * if (state.lastError) console.warn(`last sync failed: ${state.lastError}`);
 * console.log(`${state.contactCount} contacts, ${state.failedContacts} failed`);
 * ```
 */
export interface SyncState {
  provider: string;
  accountId: string;
  syncCursor: string | null;
  cursorIssuedAt: Date | null;
  lastFullSyncAt: Date | null;
  lastIncrementalSyncAt: Date | null;
  lastSuccessAt: Date | null;
  lastError: string | null;
  /** The code of `lastError` when it had one (`AUTH_FAILED`, `RATE_LIMITED`, ...). */
  lastErrorCode: string | null;
  /** Where an interrupted sync resumes: `{ mode, pageToken, ... }`; null when none is in flight. */
  checkpoint: Record<string, unknown> | null;
  /** Deletions the deletion guard held until a person confirms them; null when none are held. */
  deletionHold: DeletionHold | null;
  /** When the next incremental sync (or retry, while backing off) is due; null: now. */
  nextIncrementalDueAt: Date | null;
  /** When the next full sync is due; null: none stored (see `fullSyncDueAt`). */
  nextFullDueAt: Date | null;
  /** Failed cycles since the last completed one (the backoff's attempt number). */
  consecutiveFailures: number;
  /** The source asked for no request before this instant; null when it did not. */
  retryAfter: Date | null;
  /** Why the account is not polled (`auth`, `disabled`), or null. */
  parkedReason: ParkedReason | null;
  /** A fingerprint of the credentials revision that was refused (never the credentials), or null. */
  parkedCredentials: string | null;
  /**
   * The account's contact groups as last listed, by external id; null when never listed. An
   * incremental sync lists them again only when a page names one not here.
   */
  groups: StoredGroups | null;
  contactCount: number;
  failedContacts: number;
  updatedAt: Date | null;
}

/**
 * The fields {@link ContactsSyncStateStore.save} may change.
 *
 * @example
 * ```ts
 * const patch: SyncStatePatch = { lastError: null, lastSuccessAt: new Date(), checkpoint: null };
 * await store.save('google', 'default', patch);
 * ```
 */
export type SyncStatePatch = Partial<
  Pick<
    SyncState,
    | 'syncCursor'
    | 'cursorIssuedAt'
    | 'lastFullSyncAt'
    | 'lastIncrementalSyncAt'
    | 'lastSuccessAt'
    | 'lastError'
    | 'lastErrorCode'
    | 'checkpoint'
    | 'nextIncrementalDueAt'
    | 'nextFullDueAt'
    | 'consecutiveFailures'
    | 'retryAfter'
    | 'parkedReason'
    | 'parkedCredentials'
    | 'groups'
  >
>;

/**
 * Options of {@link ContactsSyncStateStore}.
 *
 * @example
 * ```ts
 * const options: SyncStateStoreOptions = { db, butlerSchema: 'relationship', clock: { now: () => new Date('2026-01-01T00:00:00Z') } };
 * const store = new ContactsSyncStateStore(options);
 * ```
 */
export interface SyncStateStoreOptions {
  db: ContactsDatabase;
  butlerSchema: string;
  clock?: Clock;
}

/**
 * Loads and saves sync state per provider and account in `contacts_sync_state`. Pass a
 * transaction as `db` (see {@link ContactsSyncStateStore.withDb}) to save a checkpoint together
 * with the page it belongs to.
 *
 * @example
 * ```ts
 * const store = new ContactsSyncStateStore({ db, butlerSchema: 'relationship' });
 * await store.save('google', 'default', { syncCursor: 'tok', cursorIssuedAt: new Date() });
 * const state = await store.load('google', 'default'); // { syncCursor: 'tok', contactCount: 0, ... }
 * ```
 */
export class ContactsSyncStateStore {
  readonly #db: ContactsDatabase;
  readonly #butlerSchema: string;
  readonly #clock: Clock;
  readonly #tables;

  constructor(options: SyncStateStoreOptions) {
    this.#db = options.db;
    this.#butlerSchema = options.butlerSchema;
    this.#clock = options.clock ?? systemClock;
    this.#tables = butlerTables(options.butlerSchema);
  }

  /** The same store on another connection or transaction. */
  withDb(db: ContactsDatabase): ContactsSyncStateStore {
    return new ContactsSyncStateStore({ db, butlerSchema: this.#butlerSchema, clock: this.#clock });
  }

  /** The state of one account; a never-synced account has nulls and zero counts. */
  async load(provider: string, accountId: string): Promise<SyncState> {
    const [state] = await this.list({ provider, accountId });
    return state ?? emptyState(provider, accountId);
  }

  /** Every account with state, optionally of one provider. */
  async list(filter: { provider?: string; accountId?: string } = {}): Promise<SyncState[]> {
    const schema = sql.identifier(this.#butlerSchema);
    const rows = await queryRows<Record<string, unknown>>(
      this.#db,
      sql`select s.provider, s.account_id, s.sync_cursor, s.cursor_issued_at, s.last_full_sync_at,
          s.last_incremental_sync_at, s.last_success_at, s.last_error, s.last_error_code, s.checkpoint::text as checkpoint, s.updated_at,
          s.next_incremental_due_at, s.next_full_due_at, s.consecutive_failures, s.retry_after,
          s.parked_reason, s.parked_credentials, s.groups::text as groups,
          -- Without its ids: a hold of 25,000 links is read only by the confirmation.
          (s.deletion_hold - 'ids')::text as deletion_hold,
          (select count(*) from ${schema}.contacts_source_links l
            where l.provider = s.provider and l.account_id = s.account_id and l.deleted_at is null)::int as contact_count,
          (select count(*) from ${schema}.contacts_sync_failures f
            where f.provider = s.provider and f.account_id = s.account_id)::int as failed_contacts
        from ${schema}.contacts_sync_state s
        where (${filter.provider ?? null}::text is null or s.provider = ${filter.provider ?? null})
          and (${filter.accountId ?? null}::text is null or s.account_id = ${filter.accountId ?? null})
        order by s.provider, s.account_id`,
    );
    return rows.map(toState);
  }

  /** Writes the given fields (others keep their value), creating the row when needed. */
  async save(provider: string, accountId: string, patch: SyncStatePatch): Promise<void> {
    const t = this.#tables.contactsSyncState;
    const now = this.#clock.now();
    const values: Record<string, unknown> = {};
    for (const key of Object.keys(patch) as (keyof SyncStatePatch)[]) {
      if (patch[key] !== undefined) values[key] = patch[key];
    }
    // An error's text is a server's text: a NUL in it made the database refuse the whole save
    // (a raw "invalid byte sequence"), and the failure went unrecorded.
    if (typeof patch.lastError === 'string') values.lastError = storableText(patch.lastError);
    await this.#db
      .insert(t)
      .values({ provider, accountId, ...values, updatedAt: now })
      .onConflictDoUpdate({ target: [t.provider, t.accountId], set: { ...values, updatedAt: now } });
  }

  /**
   * Takes or renews the account's sync lease for `ttlMs`. True when `owner` holds it now; false
   * when another owner holds an unexpired lease. Works across processes and hosts.
   */
  async acquireLease(provider: string, accountId: string, owner: string, ttlMs: number): Promise<boolean> {
    const t = this.#tables.contactsSyncState;
    const now = this.#clock.now();
    const expires = new Date(now.getTime() + ttlMs);
    await this.#db.insert(t).values({ provider, accountId }).onConflictDoNothing();
    const taken = await this.#db
      .update(t)
      .set({ lockOwner: owner, lockExpiresAt: expires })
      .where(
        and(
          eq(t.provider, provider),
          eq(t.accountId, accountId),
          sql`(${t.lockOwner} is null or ${t.lockOwner} = ${owner} or ${t.lockExpiresAt} < ${now.toISOString()}::timestamptz)`,
        ),
      )
      .returning({ owner: t.lockOwner });
    return taken.length === 1;
  }

  /**
   * Takes the lease from `holder`, only if `holder` still has it (a compare-and-set: of two
   * processes judging the same dead holder, one wins).
   */
  async takeOverLease(
    provider: string,
    accountId: string,
    holder: string,
    owner: string,
    ttlMs: number,
  ): Promise<boolean> {
    const t = this.#tables.contactsSyncState;
    const expires = new Date(this.#clock.now().getTime() + ttlMs);
    const taken = await this.#db
      .update(t)
      .set({ lockOwner: owner, lockExpiresAt: expires })
      .where(and(eq(t.provider, provider), eq(t.accountId, accountId), eq(t.lockOwner, holder)))
      .returning({ owner: t.lockOwner });
    return taken.length === 1;
  }

  /**
   * Extends the lease `owner` holds by `ttlMs`. False when `owner` no longer holds it: taken over
   * by another cycle, which may since have released it. Unlike {@link acquireLease}, it never takes
   * a free lease: a cycle that lost its lease must not resume writing after another one ran.
   */
  async renewLease(provider: string, accountId: string, owner: string, ttlMs: number): Promise<boolean> {
    const t = this.#tables.contactsSyncState;
    const expires = new Date(this.#clock.now().getTime() + ttlMs);
    const renewed = await this.#db
      .update(t)
      .set({ lockExpiresAt: expires })
      .where(and(eq(t.provider, provider), eq(t.accountId, accountId), eq(t.lockOwner, owner)))
      .returning({ owner: t.lockOwner });
    return renewed.length === 1;
  }

  /** Gives the lease back, if `owner` holds it. */
  async releaseLease(provider: string, accountId: string, owner: string): Promise<void> {
    const t = this.#tables.contactsSyncState;
    await this.#db
      .update(t)
      .set({ lockOwner: null, lockExpiresAt: null })
      .where(and(eq(t.provider, provider), eq(t.accountId, accountId), eq(t.lockOwner, owner)));
  }

  /**
   * Whether `owner` is still the lease's last holder, expired or not: false once another cycle
   * took it (and perhaps released it since). A cycle that is no longer the holder no longer
   * speaks for the account.
   */
  async isLeaseOwner(provider: string, accountId: string, owner: string): Promise<boolean> {
    const t = this.#tables.contactsSyncState;
    const rows = await this.#db
      .select({ owner: t.lockOwner })
      .from(t)
      .where(and(eq(t.provider, provider), eq(t.accountId, accountId)));
    return rows[0]?.owner === owner;
  }

  /** Who holds the lease now, or null. */
  async leaseHolder(provider: string, accountId: string): Promise<string | null> {
    const t = this.#tables.contactsSyncState;
    const now = this.#clock.now();
    const rows = await this.#db
      .select({ owner: t.lockOwner, expires: t.lockExpiresAt })
      .from(t)
      .where(and(eq(t.provider, provider), eq(t.accountId, accountId)));
    const row = rows[0];
    return row?.owner && row.expires && row.expires > now ? row.owner : null;
  }
}

function emptyState(provider: string, accountId: string): SyncState {
  return {
    provider,
    accountId,
    syncCursor: null,
    cursorIssuedAt: null,
    lastFullSyncAt: null,
    lastIncrementalSyncAt: null,
    lastSuccessAt: null,
    lastError: null,
    lastErrorCode: null,
    checkpoint: null,
    deletionHold: null,
    nextIncrementalDueAt: null,
    nextFullDueAt: null,
    consecutiveFailures: 0,
    retryAfter: null,
    parkedReason: null,
    parkedCredentials: null,
    groups: null,
    contactCount: 0,
    failedContacts: 0,
    updatedAt: null,
  };
}

const date = (v: unknown): Date | null => (v == null ? null : v instanceof Date ? v : new Date(String(v)));

function toState(row: Record<string, unknown>): SyncState {
  return {
    provider: String(row.provider),
    accountId: String(row.account_id),
    syncCursor: (row.sync_cursor as string | null) ?? null,
    cursorIssuedAt: date(row.cursor_issued_at),
    lastFullSyncAt: date(row.last_full_sync_at),
    lastIncrementalSyncAt: date(row.last_incremental_sync_at),
    lastSuccessAt: date(row.last_success_at),
    lastError: (row.last_error as string | null) ?? null,
    lastErrorCode: (row.last_error_code as string | null) ?? null,
    // Read as text and parsed here: the two drivers return jsonb differently.
    checkpoint:
      row.checkpoint == null ? null : (JSON.parse(String(row.checkpoint)) as Record<string, unknown>),
    deletionHold: row.deletion_hold == null ? null : toHold(JSON.parse(String(row.deletion_hold))),
    nextIncrementalDueAt: date(row.next_incremental_due_at),
    nextFullDueAt: date(row.next_full_due_at),
    consecutiveFailures: Number(row.consecutive_failures ?? 0),
    retryAfter: date(row.retry_after),
    parkedReason: PARKED_REASONS.find((r) => r === row.parked_reason) ?? null,
    parkedCredentials: (row.parked_credentials as string | null) ?? null,
    groups: row.groups == null ? null : readStoredGroups(JSON.parse(String(row.groups))),
    contactCount: Number(row.contact_count ?? 0),
    failedContacts: Number(row.failed_contacts ?? 0),
    updatedAt: date(row.updated_at),
  };
}

function toHold(value: Record<string, unknown>): DeletionHold {
  return {
    mode: value.mode === 'incremental' ? 'incremental' : 'full',
    count: Number(value.count ?? 0),
    of: Number(value.of ?? 0),
    listedAt: new Date(String(value.listed_at)),
  };
}
