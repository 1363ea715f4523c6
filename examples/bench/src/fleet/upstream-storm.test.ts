import { systemClock } from '@contacts/core';
import {
  createSyncQueue,
  DbUpstreamGate,
  openSyncJobs,
  SYNC_QUEUE,
  type SyncJobReport,
  type SyncJobs,
  startSyncWorker,
  sweepDueAccounts,
} from '@contacts/fleet';
import { createManualClock, type GoogleEmulator, startGoogleEmulator } from '@contacts/google-emulator';
import { butlerTables, queryRows, quoteIdent } from '@contacts/schema';
import { describeDatabase } from '@contacts/schema/testing';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it, vi } from 'vitest';
import { type GoogleFleetAccount, googleFleetWorkerAccounts } from './google-fleet-accounts.js';

const schedule = { intervalMs: 15 * 60_000, fullIntervalMs: 6 * 86_400_000 };
const CAP = 2;

describeDatabase('a 429 storm on one upstream', (t) => {
  let jobs: SyncJobs;
  const errors: Error[] = [];
  const emulators: GoogleEmulator[] = [];
  beforeAll(async () => {
    jobs = await openSyncJobs({
      db: t.db,
      butlerSchema: t.butlerSchema,
      maintenance: false,
      onError: (e) => errors.push(e),
    });
  });
  beforeEach(async () => {
    await createSyncQueue(jobs.boss);
  });
  afterEach(async () => {
    await Promise.all(emulators.splice(0).map((emulator) => emulator.close()));
  });
  afterAll(async () => {
    await jobs?.stop();
    expect(errors).toEqual([]);
  });

  it('does not slow the others: every account of the calm upstream syncs, the stormy one is paused, not failed', async () => {
    // Two OAuth clients on two API roots: two upstreams. The stormy one's project quota is one
    // read a minute on a clock that never moves, so it answers Google's project-wide 429 at once.
    const stormy = await startGoogleEmulator({
      seed: 1,
      clock: createManualClock(),
      fleet: { accounts: 5, peoplePerAccount: 10 },
      quotas: { readRequestsPerMinutePerProject: 1 },
    });
    const calm = await startGoogleEmulator({ seed: 2, fleet: { accounts: 6, peoplePerAccount: 10 } });
    emulators.push(stormy, calm);
    const accounts = new Map<string, GoogleFleetAccount>();
    const add = (emulator: GoogleEmulator, name: string, count: number) =>
      Array.from({ length: count }, (_, i) => {
        const accountId = `${name}-${i}`;
        accounts.set(accountId, {
          rootUrl: emulator.url,
          tokenUrl: emulator.tokenUrl,
          credentials: emulator.fleet!.credentials(i),
        });
        return accountId;
      });
    const stormyIds = add(stormy, 'stormy', 5);
    const calmIds = add(calm, 'calm', 6);
    const { openAccount, upstreamOf } = googleFleetWorkerAccounts(accounts);
    const stormyUpstream = upstreamOf({ provider: 'google', accountId: 'stormy-0', reason: 'due' });
    expect(upstreamOf({ provider: 'google', accountId: 'calm-0', reason: 'due' })).not.toBe(stormyUpstream);

    const states = butlerTables(t.butlerSchema).contactsSyncState;
    // The stormy accounts first: the longest due, swept and fetched before the calm ones.
    await t.db.insert(states).values(
      [...stormyIds, ...calmIds].map((accountId, i) => ({
        provider: 'google',
        accountId,
        nextIncrementalDueAt: new Date(systemClock.now().getTime() - 60_000 * (100 - i)),
      })),
    );
    expect(
      await sweepDueAccounts(jobs, {
        db: t.db,
        fullIntervalMs: schedule.fullIntervalMs,
        now: systemClock.now(),
      }),
    ).toMatchObject({ enqueued: 11 });

    const gate = new DbUpstreamGate({ db: t.db, clock: systemClock, caps: { default: CAP } });
    const reports: (SyncJobReport & { at: number })[] = [];
    const worker = await startSyncWorker({
      jobs,
      db: t.db,
      schedule,
      openAccount,
      upstreamOf,
      gate,
      workerId: 'storm',
      concurrency: 4,
      pollingIntervalSeconds: 0.5,
      onJob: (report) => reports.push({ ...report, at: systemClock.now().getTime() }),
    });
    const of = (prefix: string, outcome: SyncJobReport['outcome']) =>
      reports.filter((r) => r.key.startsWith(`google:${prefix}-`) && r.outcome === outcome);
    /** Deferred for the pause (a minute), not for a full upstream (5 s): its latest report says. */
    const pausedKeys = () => {
      const latest = new Map(reports.map((r) => [r.key, r]));
      return [...latest.values()]
        .filter((r) => r.outcome === 'deferred' && (r.retryAt?.getTime() ?? 0) - r.at > 30_000)
        .map((r) => r.key)
        .sort();
    };
    try {
      await vi.waitFor(
        () => {
          expect(of('calm', 'synced')).toHaveLength(calmIds.length);
          expect(pausedKeys()).toEqual(stormyIds.map((id) => `google:${id}`).sort());
        },
        { timeout: 60_000, interval: 100 },
      );
    } finally {
      await worker.stop();
    }

    // The calm upstream: every account synced, fully, once; none waited for the stormy pause
    // (a calm job may wait the 5 s of its own full cap, at most).
    expect(of('calm', 'synced').map((r) => r.result?.completed)).toEqual(calmIds.map(() => true));
    expect(new Set(of('calm', 'synced').map((r) => r.key)).size).toBe(calmIds.length);
    const calmWaits = of('calm', 'deferred').map((r) => (r.retryAt?.getTime() ?? 0) - r.at);
    expect(calmWaits.filter((ms) => ms > 5_000)).toEqual([]);
    expect(reports.filter((r) => r.key.startsWith('google:calm-') && r.outcome === 'failed')).toEqual([]);

    // The stormy upstream: paused (one row, a minute ahead), its accounts deferred without a
    // failure counted or a backoff, their jobs waiting for the pause to end.
    const [pause] = await queryRows<{ upstream: string; until: Date | string }>(
      t.db,
      sql`select upstream, until from shared.upstream_pauses`,
    );
    expect(pause?.upstream).toBe(stormyUpstream);
    expect(new Date(pause?.until ?? 0).getTime()).toBeGreaterThan(systemClock.now().getTime());
    expect(of('stormy', 'failed')).toEqual([]);
    const stormyStates = await queryRows<{ consecutive_failures: number; parked_reason: string | null }>(
      t.db,
      sql`select consecutive_failures, parked_reason from ${sql.raw(quoteIdent(t.butlerSchema))}.contacts_sync_state
        where account_id like 'stormy-%'`,
    );
    expect(stormyStates).toEqual(stormyIds.map(() => ({ consecutive_failures: 0, parked_reason: null })));
    const waiting = await queryRows<{ n: number }>(
      t.db,
      sql`select count(*)::int as n from ${sql.raw(quoteIdent(jobs.jobSchema))}.job
        where name = ${SYNC_QUEUE} and state = 'created' and singleton_key like 'google:stormy-%'
          and start_after > now()`,
    );
    expect(Number(waiting[0]?.n)).toBe(stormyIds.length);

    // Paused, not hammered: once paused, the stormy accounts were deferred by the gate without a
    // request, so at most the syncs already holding a slot met the 429.
    const refused = stormy.admin.requests().filter((r) => r.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(refused.length).toBeLessThanOrEqual(CAP);
    expect(refused.every((r) => r.quota === 'project')).toBe(true);
    // And no slot is left held.
    expect(await queryRows(t.db, sql`select 1 from shared.upstream_slots where lease_until > now()`)).toEqual(
      [],
    );
  }, 90_000);
});
