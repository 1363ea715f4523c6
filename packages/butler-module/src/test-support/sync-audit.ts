import { type ContactsDatabase, queryRows } from '@contacts/schema';
import { sql } from 'drizzle-orm';
import type { ProxiedRequest } from './recording-proxy.js';

/**
 * Database-side evidence of who synced when, for tests that run several processes on one
 * database. Triggers (test-only, in `public`) record every change of a butler schema's
 * `contacts_sync_state` row (the lease) and every statement that wrote `contacts_source_links`,
 * each with its transaction id. A transaction that rolls back takes its records with it, so what
 * is left is what committed.
 *
 * @example
 * ```ts
 * await installSyncAudit(db, 'relationship');
 * // ... processes sync ...
 * const audit = await readSyncAudit(db, 'relationship');
 * expect(audit.takeovers).toEqual([]);
 * ```
 */
export async function installSyncAudit(db: ContactsDatabase, butlerSchema: string): Promise<void> {
  const s = sql.identifier(butlerSchema);
  await db.execute(sql`create table if not exists public.sync_audit_lease (
    seq bigserial primary key, butler_schema text not null,
    txid text not null default pg_current_xact_id()::text,
    old_owner text, new_owner text, old_expires timestamptz, new_expires timestamptz)`);
  await db.execute(sql`create table if not exists public.sync_audit_link_writes (
    seq bigserial primary key, butler_schema text not null,
    txid text not null default pg_current_xact_id()::text, row_count int not null)`);
  await db.execute(
    sql.raw(`create or replace function public.sync_audit_lease_fn() returns trigger
    language plpgsql as $$ begin
      insert into public.sync_audit_lease (butler_schema, old_owner, new_owner, old_expires, new_expires)
      values (tg_table_schema, old.lock_owner, new.lock_owner, old.lock_expires_at, new.lock_expires_at);
      return null;
    end $$`),
  );
  await db.execute(
    sql.raw(`create or replace function public.sync_audit_links_fn() returns trigger
    language plpgsql as $$ begin
      insert into public.sync_audit_link_writes (butler_schema, row_count)
      select tg_table_schema, count(*) from changed having count(*) > 0;
      return null;
    end $$`),
  );
  await db.execute(sql`create trigger sync_audit_lease after update on ${s}.contacts_sync_state
    for each row execute function public.sync_audit_lease_fn()`);
  // Transition tables allow one event per trigger: an upsert fires both.
  for (const event of ['insert', 'update'] as const) {
    await db.execute(
      sql`create trigger ${sql.identifier(`sync_audit_links_${event}`)} after ${sql.raw(event)}
        on ${s}.contacts_source_links referencing new table as changed
        for each statement execute function public.sync_audit_links_fn()`,
    );
  }
}

/** A change of an account's lease, in commit order. */
export interface LeaseEvent {
  seq: number;
  txid: string;
  oldOwner: string | null;
  newOwner: string | null;
  oldExpires: Date | null;
  newExpires: Date | null;
}

/** What {@link readSyncAudit} found. */
export interface SyncAudit {
  events: LeaseEvent[];
  /** Owners in the order they took the lease (each sync cycle has its own owner id). */
  owners: string[];
  /** Owners that took the lease more than once (a cycle never should). */
  reacquired: string[];
  /** The lease went from one owner to another without a release: only after the first expired. */
  takeovers: LeaseEvent[];
  /** Transactions that wrote source links without holding the lease in that same transaction. */
  unleasedWrites: string[];
  /** Statements that wrote source links, and the rows they wrote. */
  linkWrites: { statements: number; rows: number };
}

/** Reads back what {@link installSyncAudit}'s triggers recorded for `butlerSchema`. */
export async function readSyncAudit(db: ContactsDatabase, butlerSchema: string): Promise<SyncAudit> {
  const rows = await queryRows<{
    seq: number;
    txid: string;
    old_owner: string | null;
    new_owner: string | null;
    old_expires: number | null;
    new_expires: number | null;
  }>(
    db,
    sql`select seq::float8 as seq, txid, old_owner, new_owner,
        (extract(epoch from old_expires) * 1000)::float8 as old_expires,
        (extract(epoch from new_expires) * 1000)::float8 as new_expires
      from public.sync_audit_lease where butler_schema = ${butlerSchema} order by seq`,
  );
  const date = (v: number | null) => (v === null ? null : new Date(Number(v)));
  const events: LeaseEvent[] = rows.map((r) => ({
    seq: Number(r.seq),
    txid: r.txid,
    oldOwner: r.old_owner,
    newOwner: r.new_owner,
    oldExpires: date(r.old_expires),
    newExpires: date(r.new_expires),
  }));
  const owners: string[] = [];
  const reacquired: string[] = [];
  const takeovers: LeaseEvent[] = [];
  for (const e of events) {
    if (e.newOwner === null || e.newOwner === e.oldOwner) continue;
    if (owners.includes(e.newOwner)) reacquired.push(e.newOwner);
    owners.push(e.newOwner);
    if (e.oldOwner !== null) takeovers.push(e);
  }
  // The row lock makes lease events of one account commit in `seq` order; a page transaction
  // renews the lease after writing, so a committed link write has a held-lease event in its txid.
  const leased = new Set(events.filter((e) => e.newOwner !== null).map((e) => e.txid));
  const writes = await queryRows<{ txid: string; row_count: number }>(
    db,
    sql`select txid, row_count from public.sync_audit_link_writes where butler_schema = ${butlerSchema}`,
  );
  return {
    events,
    owners,
    reacquired,
    takeovers,
    unleasedWrites: [...new Set(writes.filter((w) => !leased.has(w.txid)).map((w) => w.txid))],
    linkWrites: { statements: writes.length, rows: writes.reduce((n, w) => n + Number(w.row_count), 0) },
  };
}

/**
 * One sync cycle as a process's proxy saw it: from its first `connections` page request (the one
 * without a page token) to the end of its last. `end` is Infinity while a request is unanswered.
 */
export interface SyncSpan {
  proxy: string;
  mode: 'full' | 'incremental';
  pages: number;
  start: number;
  end: number;
}

/** True for a People API page request of a sync (validation probes ask for no sync token). */
export const isSyncPage = (r: ProxiedRequest): boolean =>
  r.path === '/v1/people/me/connections' && r.query.get('requestSyncToken') === 'true';

/** Splits each proxy's sync page requests into cycles (a cycle starts at a page without token). */
export function syncSpans(requests: readonly ProxiedRequest[]): SyncSpan[] {
  const spans: SyncSpan[] = [];
  const open = new Map<string, SyncSpan>();
  for (const r of [...requests].filter(isSyncPage).sort((x, y) => x.start - y.start)) {
    let span = open.get(r.proxy);
    if (!span || !r.query.has('pageToken')) {
      span = {
        proxy: r.proxy,
        mode: r.query.has('syncToken') ? 'incremental' : 'full',
        pages: 0,
        start: r.start,
        end: r.start,
      };
      spans.push(span);
      open.set(r.proxy, span);
    }
    span.pages += 1;
    span.end = Math.max(span.end, r.end ?? Number.POSITIVE_INFINITY);
  }
  return spans;
}

/** Pairs of spans that were in flight at the same time. */
export function overlappingSpans(spans: readonly SyncSpan[]): [SyncSpan, SyncSpan][] {
  const pairs: [SyncSpan, SyncSpan][] = [];
  for (const [i, a] of spans.entries()) {
    for (const b of spans.slice(i + 1)) {
      if (a.start < b.end && b.start < a.end) pairs.push([a, b]);
    }
  }
  return pairs;
}
