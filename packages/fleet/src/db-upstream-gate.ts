import { randomUUID } from 'node:crypto';
import { type Clock, errorMessage, type Logger, silentLogger } from '@contacts/core';
import { type ContactsDatabase, queryRows } from '@contacts/schema';
import { sql } from 'drizzle-orm';
import type { UpstreamAcquire, UpstreamGate, UpstreamSlot } from './upstream-gate.js';

/**
 * Timers the gate renews held slots with (injected so tests drive them).
 *
 * @example
 * ```ts
 * const timers: GateTimers = { setTimeout: (f, ms) => setTimeout(f, ms).unref(), clearTimeout };
 * ```
 */
export interface GateTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const nodeTimers: GateTimers = {
  // Unref'd: a held slot never keeps a process alive that is otherwise done.
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** `value` when it is an integer of at least `min`; else a RangeError naming the option. */
function integerAtLeast(name: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`DbUpstreamGate: ${name} must be an integer of at least ${min}; got ${value}.`);
  }
  return value;
}

/**
 * Concurrent syncs allowed per upstream: `default` for any upstream, `upstreams` overrides by key
 * (`google:3f9a0c1d2e4b`, `carddav:dav.example.com:443`).
 *
 * @example
 * ```ts
 * const caps: UpstreamCaps = { default: 8, upstreams: { 'carddav:dav.example.com:443': 2 } };
 * ```
 */
export interface UpstreamCaps {
  default: number;
  upstreams?: Readonly<Record<string, number>>;
}

/**
 * Options of {@link DbUpstreamGate}.
 *
 * @example
 * ```ts
 * const options: DbUpstreamGateOptions = { db, clock: systemClock, caps: { default: 8 } };
 * ```
 */
export interface DbUpstreamGateOptions {
  /** The database the workers share (its `shared.upstream_*` tables). */
  db: ContactsDatabase;
  clock: Clock;
  caps: UpstreamCaps;
  /** How long a slot stays held without renewal: a dead holder's slot frees itself after it (default 120 s). */
  leaseMs?: number;
  /** A held slot's lease is renewed this often while it is held (default a third of `leaseMs`). */
  renewEveryMs?: number;
  /** When every slot is taken, try again this much later at the latest (default 5 s; earlier if a lease lapses before). */
  fullRetryMs?: number;
  timers?: GateTimers;
  logger?: Logger;
  /** The token of each acquire (default a random UUID). */
  newToken?: () => string;
}

/** Attempts of one acquire when another worker took the same free slot number at the same time. */
const COLLISION_ATTEMPTS = 3;

interface GateState {
  paused_until: Date | string | null;
  live: number | string;
  next_lapse: Date | string | null;
}

const asDate = (value: Date | string): Date => (value instanceof Date ? value : new Date(value));

/**
 * The {@link UpstreamGate} of a fleet, in the database every worker shares: at most the cap of an
 * upstream holds a slot at once across all processes, and a paused upstream gives out none.
 *
 * A slot is a row of `shared.upstream_slots` keyed by upstream and slot number (`0` to cap - 1), so
 * two acquirers can never hold one number: an acquire is one statement that picks a free number
 * (no live lease) and inserts it, or takes over a row whose lease lapsed. A row lapses by itself
 * when its holder dies (the lease, on the injected clock); a live holder renews it on a timer. A
 * second statement runs only when the first got nothing, to tell a pause from a full upstream (and
 * to try again, at most 3 times, when another worker took the same number at the same moment).
 * Pauses are a row per upstream in `shared.upstream_pauses`; a later pause only extends one.
 *
 * Lowering a cap takes effect as held slots are released: the live count is checked too, so no
 * new slot is given while as many are held as the new cap.
 *
 * @example
 * ```ts
 * const gate = new DbUpstreamGate({ db, clock: systemClock, caps: { default: 4 } });
 * const taken = await gate.tryAcquire('google:3f9a0c1d2e4b', 'worker-1:job-42');
 * if ('slot' in taken) try { await sync(); } finally { await taken.slot.release(); }
 * ```
 */
export class DbUpstreamGate implements UpstreamGate {
  readonly #db: ContactsDatabase;
  readonly #clock: Clock;
  readonly #caps: { default: number; upstreams: ReadonlyMap<string, number> };
  readonly #leaseMs: number;
  readonly #renewEveryMs: number;
  readonly #fullRetryMs: number;
  readonly #timers: GateTimers;
  readonly #logger: Logger;
  readonly #newToken: () => string;

  constructor(options: DbUpstreamGateOptions) {
    this.#db = options.db;
    this.#clock = options.clock;
    // Options come from the host's code and configuration: checked here, once, with the name.
    this.#caps = {
      default: integerAtLeast('caps.default', options.caps.default, 1),
      upstreams: new Map(
        Object.entries(options.caps.upstreams ?? {}).map(([key, cap]) => [
          key,
          integerAtLeast(`caps.upstreams["${key}"]`, cap, 1),
        ]),
      ),
    };
    this.#leaseMs = integerAtLeast('leaseMs', options.leaseMs ?? 120_000, 1000);
    this.#renewEveryMs = integerAtLeast(
      'renewEveryMs',
      options.renewEveryMs ?? Math.floor(this.#leaseMs / 3),
      1,
    );
    if (this.#renewEveryMs >= this.#leaseMs) {
      throw new RangeError(
        'DbUpstreamGate: renewEveryMs must be shorter than leaseMs, or a held slot lapses.',
      );
    }
    this.#fullRetryMs = integerAtLeast('fullRetryMs', options.fullRetryMs ?? 5_000, 1);
    this.#timers = options.timers ?? nodeTimers;
    this.#logger = options.logger ?? silentLogger;
    this.#newToken = options.newToken ?? randomUUID;
  }

  /** The cap of `upstream`: its override, else the default. */
  capOf(upstream: string): number {
    return this.#caps.upstreams.get(upstream) ?? this.#caps.default;
  }

  async tryAcquire(upstream: string, owner: string): Promise<UpstreamAcquire> {
    const cap = this.capOf(upstream);
    for (let attempt = 1; ; attempt += 1) {
      const now = this.#clock.now();
      // As text: postgres.js takes no Date parameter through drizzle's sql.
      const at = now.toISOString();
      const token = this.#newToken();
      const [taken] = await queryRows<{ slot: number }>(
        this.#db,
        sql`with paused as (
            select 1 from shared.upstream_pauses where upstream = ${upstream} and until > ${at}::timestamptz
          ), live as (
            select slot from shared.upstream_slots
            where upstream = ${upstream} and lease_until > ${at}::timestamptz
          ), free as (
            select n from generate_series(0, ${cap}::int - 1) as n
            where not exists (select 1 from paused)
              and (select count(*) from live) < ${cap}::int
              and n not in (select slot from live)
            order by random() limit 1
          )
          insert into shared.upstream_slots as s (upstream, slot, owner, token, lease_until)
          select ${upstream}, n, ${owner}, ${token}::uuid, ${new Date(now.getTime() + this.#leaseMs).toISOString()}::timestamptz
          from free
          on conflict (upstream, slot) do update
            set owner = excluded.owner, token = excluded.token, lease_until = excluded.lease_until
            where s.lease_until <= ${at}::timestamptz
          returning s.slot`,
      );
      if (taken) return { slot: this.#held(upstream, Number(taken.slot), token) };

      const [state] = await queryRows<GateState>(
        this.#db,
        sql`select
            (select max(until) from shared.upstream_pauses
              where upstream = ${upstream} and until > ${at}::timestamptz) as paused_until,
            (select count(*) from shared.upstream_slots
              where upstream = ${upstream} and lease_until > ${at}::timestamptz) as live,
            (select min(lease_until) from shared.upstream_slots
              where upstream = ${upstream} and lease_until > ${at}::timestamptz) as next_lapse`,
      );
      if (state?.paused_until) return { retryAt: asDate(state.paused_until), reason: 'paused' };
      // A free number was there but another acquirer took it first: pick another one.
      if (Number(state?.live ?? 0) < cap && attempt < COLLISION_ATTEMPTS) continue;
      const soon = now.getTime() + this.#fullRetryMs;
      const lapse = state?.next_lapse ? asDate(state.next_lapse).getTime() : soon;
      return { retryAt: new Date(Math.min(soon, lapse)), reason: 'full' };
    }
  }

  async pause(upstream: string, until: Date): Promise<void> {
    await this.#db.execute(
      sql`insert into shared.upstream_pauses as p (upstream, until) values (${upstream}, ${until.toISOString()}::timestamptz)
        on conflict (upstream) do update set until = greatest(p.until, excluded.until)`,
    );
  }

  /** A held slot: renewed on a timer until released; released at most once. */
  #held(upstream: string, slot: number, token: string): UpstreamSlot {
    let timer: unknown = null;
    let released = false;
    const renew = async () => {
      timer = null;
      if (released) return;
      const until = new Date(this.#clock.now().getTime() + this.#leaseMs);
      try {
        const rows = await queryRows(
          this.#db,
          sql`update shared.upstream_slots set lease_until = ${until.toISOString()}::timestamptz
            where upstream = ${upstream} and slot = ${slot} and token = ${token}::uuid returning 1`,
        );
        if (rows.length === 0) {
          // Lapsed and taken by another worker (this process stalled past the lease): the cap
          // now counts the other holder; this sync goes on, its slot is gone.
          this.#logger.warn('contacts_upstream_slot_lost', { upstream, slot });
          return;
        }
      } catch (error) {
        this.#logger.warn('contacts_upstream_slot_renew_failed', {
          upstream,
          slot,
          error: errorMessage(error),
        });
      }
      if (!released) timer = this.#timers.setTimeout(() => void renew(), this.#renewEveryMs);
    };
    timer = this.#timers.setTimeout(() => void renew(), this.#renewEveryMs);
    return {
      release: async () => {
        if (released) return;
        released = true;
        if (timer !== null) this.#timers.clearTimeout(timer);
        timer = null;
        // By token: a slot that lapsed and went to another holder is theirs, not released here.
        await this.#db.execute(
          sql`delete from shared.upstream_slots
            where upstream = ${upstream} and slot = ${slot} and token = ${token}::uuid`,
        );
      },
    };
  }
}
