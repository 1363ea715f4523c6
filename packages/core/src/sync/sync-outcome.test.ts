import { describeDatabase } from '@contacts/schema/testing';
import { expect, it } from 'vitest';
import { CoreError } from '../errors.js';
import { ProviderError } from '../provider/provider-error.js';
import { DEFAULT_BACKOFF } from './backoff.js';
import { recordSyncOutcome, syncOutcomeOf } from './sync-outcome.js';
import type { SyncSchedule } from './sync-policy.js';
import { ContactsSyncStateStore } from './sync-state-store.js';

const now = new Date('2026-03-01T10:00:00Z');
const schedule: SyncSchedule = {
  intervalMs: 15 * 60_000,
  fullIntervalMs: 6 * 86_400_000,
  backoff: DEFAULT_BACKOFF,
  jitter: 0,
};

it('reads a lease held elsewhere as busy, a provider error by its code, a surprise as TEMPORARY', () => {
  expect(syncOutcomeOf(new CoreError('SYNC_IN_PROGRESS', 'held'))).toEqual({ kind: 'busy' });
  expect(syncOutcomeOf(new ProviderError('RATE_LIMITED', 'slow', { retryAfterMs: 5_000 }))).toEqual({
    kind: 'failed',
    code: 'RATE_LIMITED',
    retryAfterMs: 5_000,
  });
  expect(syncOutcomeOf(new Error('boom'))).toEqual({ kind: 'failed', code: 'TEMPORARY' });
  const missing = new Error('no credentials');
  expect(syncOutcomeOf(missing, (e) => e === missing)).toEqual({ kind: 'no_credentials' });
});

describeDatabase('recordSyncOutcome', (t) => {
  const store = () =>
    new ContactsSyncStateStore({ db: t.db, butlerSchema: t.butlerSchema, clock: { now: () => now } });
  const record = (outcome: Parameters<typeof recordSyncOutcome>[0]['outcome'], extra = {}) =>
    recordSyncOutcome({
      store: store(),
      provider: 'google',
      accountId: 'ada',
      outcome,
      schedule,
      now,
      ...extra,
    });

  it('stores the next due times of a completed cycle', async () => {
    const { decision } = await record({ kind: 'completed', mode: 'full' });
    expect(decision.action).toBe('done');
    expect(await store().load('google', 'ada')).toMatchObject({
      nextIncrementalDueAt: new Date(now.getTime() + schedule.intervalMs),
      nextFullDueAt: new Date(now.getTime() + schedule.fullIntervalMs),
      consecutiveFailures: 0,
      parkedReason: null,
    });
  });

  it('stores nothing for a cycle another process runs', async () => {
    await record({ kind: 'failed', code: 'TEMPORARY' });
    const before = await store().load('google', 'ada');
    const { decision } = await record({ kind: 'busy' });
    expect(decision).toMatchObject({ action: 'busy_elsewhere', store: false });
    expect((await store().load('google', 'ada')).consecutiveFailures).toBe(before.consecutiveFailures);
  });

  it('parks an auth failure with the refused fingerprint, kept while parked for the same reason', async () => {
    await record({ kind: 'failed', code: 'AUTH_FAILED' }, { refusedCredentials: 'fp-1' });
    expect(await store().load('google', 'ada')).toMatchObject({
      parkedReason: 'auth',
      parkedCredentials: 'fp-1',
    });
    await record({ kind: 'no_credentials' });
    expect(await store().load('google', 'ada')).toMatchObject({
      parkedReason: 'auth',
      parkedCredentials: 'fp-1',
    });
  });

  it('keeps a disabled account parked whatever the cycle did', async () => {
    await record({ kind: 'completed', mode: 'incremental' }, { enabled: false });
    expect((await store().load('google', 'ada')).parkedReason).toBe('disabled');
  });
});
