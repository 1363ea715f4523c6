import { ContactsSyncStateStore, leaseOwnerId } from '@contacts/core';
import { describeDatabase } from '@contacts/schema/testing';
import { expect, it } from 'vitest';
import { readSyncStatus } from './sync-status.js';

describeDatabase('readSyncStatus', (t) => {
  const clock = { now: () => new Date('2026-03-01T08:00:00Z') };
  const alive = new Set([100, 200]);
  const me = { machine: 'box-1', pid: 100, isAlive: (pid: number) => alive.has(pid) };
  const running = async (owner: string) => {
    const store = new ContactsSyncStateStore({ db: t.db, butlerSchema: t.butlerSchema, clock });
    expect(await store.acquireLease('google', 'default', owner, 60_000)).toBe(true);
    const report = await readSyncStatus({
      db: t.db,
      butlerSchema: t.butlerSchema,
      provider: 'google',
      accountId: 'default',
      syncEnabled: true,
      clock,
      leaseIdentity: me,
    });
    await store.releaseLease('google', 'default', owner);
    return report.running;
  };

  it('reports a sync running while a live process holds the lease, here or elsewhere', async () => {
    expect(await running(leaseOwnerId({ ...me, pid: 200 }, 'a'))).toBe(true);
    expect(await running(leaseOwnerId({ ...me, machine: 'box-2', pid: 300 }, 'a'))).toBe(true);
    expect(await running('a-host-of-its-own')).toBe(true);
  });

  it('reports none when the holder was a process of this machine that was killed', async () => {
    expect(await running(leaseOwnerId({ ...me, pid: 300 }, 'a'))).toBe(false);
  });
});
