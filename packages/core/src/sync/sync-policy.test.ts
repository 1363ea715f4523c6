import { describe, expect, it } from 'vitest';
import { PROVIDER_ERROR_CODES, ProviderError } from '../provider/provider-error.js';
import { backoffDelay, DEFAULT_BACKOFF } from './backoff.js';
import {
  decideSync,
  fullSyncDueAt,
  type ListingPosition,
  planWake,
  SYNC_POLICY,
  type SyncPolicyState,
} from './sync-policy.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const now = new Date('2026-03-01T12:00:00Z');
const at = (ms: number) => new Date(now.getTime() + ms);
const schedule = { intervalMs: 15 * MINUTE, fullIntervalMs: 6 * DAY, backoff: DEFAULT_BACKOFF, jitter: 0 };

function state(patch: Partial<SyncPolicyState> = {}): SyncPolicyState {
  return {
    consecutiveFailures: 0,
    lastFullSyncAt: at(-DAY),
    nextIncrementalDueAt: now,
    nextFullDueAt: at(5 * DAY),
    retryAfter: null,
    parkedReason: null,
    schedule,
    ...patch,
  };
}

// Every listing position a page can fail at, and "after the cycle" (undefined).
const POSITIONS: (ListingPosition | undefined)[] = [undefined];
for (const mode of ['full', 'incremental'] as const) {
  for (const pageToken of [false, true]) {
    for (const restarted of [false, true]) POSITIONS.push({ mode, pageToken, restarted });
  }
}
const STATES: [string, SyncPolicyState][] = [
  ['healthy', state()],
  ['after 3 failures', state({ consecutiveFailures: 3, nextIncrementalDueAt: at(MINUTE) })],
  ['parked for auth', state({ parkedReason: 'auth', nextIncrementalDueAt: null })],
  ['never synced', state({ lastFullSyncAt: null, nextFullDueAt: null, nextIncrementalDueAt: null })],
];

describe('decideSync: every (code, state) pair', () => {
  for (const code of PROVIDER_ERROR_CODES) {
    const row = SYNC_POLICY[code];
    for (const [name, before] of STATES) {
      for (const during of POSITIONS) {
        for (const retryAfterMs of [undefined, 10 * MINUTE]) {
          const where = during
            ? `${during.mode} page, token ${during.pageToken}, restarted ${during.restarted}`
            : 'after the cycle';
          it(`${code} / ${name} / ${where} / retry-after ${retryAfterMs ?? 'none'}`, () => {
            const d = decideSync({ kind: 'failed', code, retryAfterMs, during }, before, now);
            const continues =
              during !== undefined &&
              ((row.inListing === 'full_sync_now' && during.mode === 'incremental') ||
                (row.inListing === 'restart_listing' && during.pageToken && !during.restarted));
            if (continues) {
              // The cycle goes on at once; the stored schedule is untouched.
              expect(d).toMatchObject({
                action: row.inListing,
                until: now,
                store: false,
                consecutiveFailures: before.consecutiveFailures,
                nextIncrementalDueAt: before.nextIncrementalDueAt,
                parkedReason: before.parkedReason,
              });
              return;
            }
            if (row.afterCycle === 'wait_for_credentials') {
              expect(d).toMatchObject({
                action: 'wait_for_credentials',
                parkedReason: 'auth',
                until: null,
                nextIncrementalDueAt: null,
                consecutiveFailures: before.consecutiveFailures,
                store: true,
              });
              return;
            }
            const failures = before.consecutiveFailures + 1;
            const backoff =
              row.afterCycle === 'back_off_long'
                ? DEFAULT_BACKOFF.maxMs
                : backoffDelay(failures, DEFAULT_BACKOFF, () => 0);
            const wait = Math.max(backoff, retryAfterMs ?? 0);
            expect(d).toEqual({
              action: 'back_off',
              until: at(wait),
              nextIncrementalDueAt: at(wait),
              nextFullDueAt: fullSyncDueAt(before),
              consecutiveFailures: failures,
              retryAfter: retryAfterMs ? at(retryAfterMs) : null,
              parkedReason: null,
              store: true,
            });
          });
        }
      }
    }
  }
});

describe('decideSync: outcomes other than a provider error', () => {
  for (const [name, before] of STATES) {
    it(`completed / ${name}: failures reset, next incremental one interval on, next full after a full one`, () => {
      const full = decideSync({ kind: 'completed', mode: 'full' }, before, now);
      expect(full).toEqual({
        action: 'done',
        until: at(15 * MINUTE),
        nextIncrementalDueAt: at(15 * MINUTE),
        nextFullDueAt: at(6 * DAY),
        consecutiveFailures: 0,
        retryAfter: null,
        parkedReason: null,
        store: true,
      });
      const incremental = decideSync({ kind: 'completed', mode: 'incremental' }, before, now);
      expect(incremental).toMatchObject({
        action: 'done',
        nextFullDueAt: fullSyncDueAt(before),
        store: true,
      });
    });

    it(`busy / ${name}: stores nothing, tries again one interval on or after the backoff`, () => {
      const d = decideSync({ kind: 'busy' }, before, now);
      const wait = before.consecutiveFailures
        ? backoffDelay(before.consecutiveFailures, DEFAULT_BACKOFF, () => 0)
        : 15 * MINUTE;
      expect(d).toMatchObject({
        action: 'busy_elsewhere',
        until: at(wait),
        store: false,
        consecutiveFailures: before.consecutiveFailures,
      });
    });

    it(`stopped / ${name}: nothing decided, nothing stored`, () => {
      expect(decideSync({ kind: 'stopped' }, before, now)).toMatchObject({ action: 'stopped', store: false });
    });

    it(`no credentials / ${name}: parked for auth`, () => {
      expect(decideSync({ kind: 'no_credentials' }, before, now)).toMatchObject({
        action: 'wait_for_credentials',
        parkedReason: 'auth',
        until: null,
        store: true,
      });
    });

    it(`disabled / ${name}: parked as disabled`, () => {
      expect(decideSync({ kind: 'disabled' }, before, now)).toMatchObject({
        action: 'parked_disabled',
        parkedReason: 'disabled',
        until: null,
        store: true,
      });
    });
  }
});

describe('SYNC_POLICY', () => {
  it('covers the closed code set, and ProviderError.retryable agrees with it', () => {
    expect(Object.keys(SYNC_POLICY).sort()).toEqual([...PROVIDER_ERROR_CODES].sort());
    for (const code of PROVIDER_ERROR_CODES) {
      expect(new ProviderError(code, 'x').retryable, code).toBe(SYNC_POLICY[code].retryable);
    }
  });

  it('decides the documented figures: 30 s, then doubling; an hour for PERMANENT; the retry-after', () => {
    expect(decideSync({ kind: 'failed', code: 'TEMPORARY' }, state(), now).until).toEqual(at(30_000));
    expect(
      decideSync({ kind: 'failed', code: 'TEMPORARY' }, state({ consecutiveFailures: 2 }), now).until,
    ).toEqual(at(120_000));
    expect(decideSync({ kind: 'failed', code: 'PERMANENT' }, state(), now).until).toEqual(at(60 * MINUTE));
    const limited = decideSync(
      { kind: 'failed', code: 'RATE_LIMITED', retryAfterMs: 10 * MINUTE },
      state(),
      now,
    );
    expect(limited).toMatchObject({ until: at(10 * MINUTE), retryAfter: at(10 * MINUTE) });
  });
});

describe('fullSyncDueAt', () => {
  it('is the earlier of the stored due time and the interval after the last full sync', () => {
    expect(fullSyncDueAt(state({ lastFullSyncAt: null, nextFullDueAt: null }))).toBeNull();
    expect(fullSyncDueAt(state({ lastFullSyncAt: now, nextFullDueAt: null }))).toEqual(at(6 * DAY));
    expect(fullSyncDueAt(state({ lastFullSyncAt: null, nextFullDueAt: at(DAY) }))).toEqual(at(DAY));
    // The interval was shortened since the due time was stored: the shorter one applies.
    expect(fullSyncDueAt(state({ lastFullSyncAt: now, nextFullDueAt: at(9 * DAY) }))).toEqual(at(6 * DAY));
  });
});

describe('planWake', () => {
  const timer = { startup: false, triggered: false };
  const startup = { startup: true, triggered: false };
  const trigger = { startup: false, triggered: true };

  it('syncs when due: full when the full sync is due or never ran, else auto', () => {
    expect(planWake(state(), now, timer)).toEqual({ kind: 'sync', mode: 'auto' });
    expect(planWake(state({ nextFullDueAt: now }), now, timer)).toEqual({ kind: 'sync', mode: 'full' });
    expect(planWake(state({ lastFullSyncAt: null, nextFullDueAt: null }), now, timer)).toEqual({
      kind: 'sync',
      mode: 'full',
    });
  });

  it('sleeps until a sync another process ran says, or the full sync if sooner', () => {
    expect(planWake(state({ nextIncrementalDueAt: at(MINUTE) }), now, timer)).toEqual({
      kind: 'sleep',
      until: at(MINUTE),
    });
    const fullFirst = state({ nextIncrementalDueAt: at(10 * MINUTE), nextFullDueAt: at(MINUTE) });
    expect(planWake(fullFirst, now, timer)).toEqual({ kind: 'sleep', until: at(MINUTE) });
    // run_on_startup syncs at once when no backoff holds.
    expect(planWake(state({ nextIncrementalDueAt: at(MINUTE) }), now, startup)).toEqual({
      kind: 'sync',
      mode: 'auto',
    });
  });

  it('keeps a backoff at startup too; a trigger skips it; nothing skips a retry-after', () => {
    const backingOff = state({ consecutiveFailures: 2, nextIncrementalDueAt: at(MINUTE) });
    expect(planWake(backingOff, now, startup)).toEqual({ kind: 'sleep', until: at(MINUTE) });
    expect(planWake(backingOff, now, trigger)).toEqual({ kind: 'sync', mode: 'auto' });
    const limited = state({
      consecutiveFailures: 1,
      retryAfter: at(5 * MINUTE),
      nextIncrementalDueAt: at(5 * MINUTE),
    });
    expect(planWake(limited, now, trigger)).toEqual({ kind: 'sleep', until: at(5 * MINUTE) });
  });

  it('checks for new credentials while parked for auth, unless a person asked for a sync', () => {
    const parked = state({ parkedReason: 'auth', nextIncrementalDueAt: null });
    expect(planWake(parked, now, timer)).toEqual({ kind: 'check_credentials' });
    expect(planWake(parked, now, startup)).toEqual({ kind: 'check_credentials' });
    expect(planWake(parked, now, trigger)).toEqual({ kind: 'sync', mode: 'auto' });
  });
});
