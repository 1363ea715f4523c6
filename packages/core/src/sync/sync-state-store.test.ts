import { butlerTables, contacts, queryRows } from '@contacts/schema';
import { describeDatabase } from '@contacts/schema/testing';
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import type { Clock } from '../util/clock.js';
import { ContactsSyncStateStore } from './sync-state-store.js';

class ManualClock implements Clock {
  constructor(public time = Date.parse('2026-03-01T10:00:00Z')) {}
  now() {
    return new Date(this.time);
  }
  advance(ms: number) {
    this.time += ms;
  }
}

describeDatabase('ContactsSyncStateStore', (t) => {
  const store = (clock: Clock = new ManualClock()) =>
    new ContactsSyncStateStore({ db: t.db, butlerSchema: t.butlerSchema, clock });

  it('returns an empty state for an account never synced', async () => {
    expect(await store().load('google', 'default')).toMatchObject({
      provider: 'google',
      accountId: 'default',
      syncCursor: null,
      lastSuccessAt: null,
      lastError: null,
      checkpoint: null,
      contactCount: 0,
      failedContacts: 0,
    });
  });

  it('saves and loads cursor, timestamps, last error and checkpoint per provider and account', async () => {
    const s = store();
    const issued = new Date('2026-02-28T09:00:00Z');
    const full = new Date('2026-02-28T09:05:00Z');
    await s.save('google', 'default', {
      syncCursor: 'cursor-1',
      cursorIssuedAt: issued,
      lastFullSyncAt: full,
      lastIncrementalSyncAt: full,
      lastSuccessAt: full,
      lastError: 'Google said no.',
      checkpoint: { mode: 'full', pageToken: 'p3', nested: { n: 1 } },
    });
    await s.save('google', 'work', { syncCursor: 'cursor-2' });
    await s.save('carddav', 'default', { syncCursor: 'cursor-3' });

    const state = await s.load('google', 'default');
    expect(state).toMatchObject({
      syncCursor: 'cursor-1',
      lastError: 'Google said no.',
      checkpoint: { mode: 'full', pageToken: 'p3', nested: { n: 1 } },
    });
    expect(state.cursorIssuedAt?.toISOString()).toBe(issued.toISOString());
    expect(state.lastFullSyncAt?.toISOString()).toBe(full.toISOString());
    expect(state.lastIncrementalSyncAt?.toISOString()).toBe(full.toISOString());
    expect(state.lastSuccessAt?.toISOString()).toBe(full.toISOString());
    expect((await s.load('google', 'work')).syncCursor).toBe('cursor-2');
    expect((await s.load('carddav', 'default')).syncCursor).toBe('cursor-3');
    expect((await s.list({ provider: 'google' })).map((x) => x.accountId)).toEqual(['default', 'work']);
    expect(await s.list()).toHaveLength(3);
  });

  it('stores a last error holding a NUL or half an emoji, as a server may send (issue 11)', async () => {
    const s = store();
    // Before: the database refused the save ("invalid byte sequence for encoding UTF8: 0x00").
    await s.save('google', 'default', { lastError: 'Google said \u0000no \ud83d\u001b[2J.' });
    expect((await s.load('google', 'default')).lastError).toBe('Google said no \ufffd\u001b[2J.');
  });

  it('changes only the fields a save names, and clears those set to null', async () => {
    const s = store();
    await s.save('google', 'default', {
      syncCursor: 'c1',
      lastError: 'boom',
      checkpoint: { pageToken: 'p' },
    });
    await s.save('google', 'default', { lastError: null, checkpoint: null });
    expect(await s.load('google', 'default')).toMatchObject({
      syncCursor: 'c1',
      lastError: null,
      checkpoint: null,
    });
  });

  it('stores the checkpoint as a JSON object, not as a string (prior-art #14)', async () => {
    await store().save('google', 'default', { checkpoint: { mode: 'full', pageToken: 'p2' } });
    const rows = await queryRows<{ kind: string; token: string }>(
      t.db,
      sql`select jsonb_typeof(checkpoint) as kind, checkpoint->>'pageToken' as token
        from ${sql.identifier(t.butlerSchema)}.contacts_sync_state`,
    );
    expect(rows).toEqual([{ kind: 'object', token: 'p2' }]);
  });

  it('counts contacts as live source links, and waiting failures', async () => {
    const tb = butlerTables(t.butlerSchema);
    const [a, b] = await t.db
      .insert(contacts)
      .values([{ name: 'A' }, { name: 'B' }])
      .returning({ id: contacts.id });
    await t.db.insert(tb.contactsSourceLinks).values([
      { provider: 'google', accountId: 'default', externalContactId: 'people/1', localContactId: a!.id },
      { provider: 'google', accountId: 'default', externalContactId: 'people/2', localContactId: b!.id },
      {
        provider: 'google',
        accountId: 'default',
        externalContactId: 'people/3',
        localContactId: b!.id,
        deletedAt: new Date(),
      },
      { provider: 'google', accountId: 'work', externalContactId: 'people/4', localContactId: a!.id },
    ]);
    await t.db.insert(tb.contactsSyncFailures).values({
      provider: 'google',
      accountId: 'default',
      externalContactId: 'people/9',
      error: 'bad',
    });
    await store().save('google', 'default', { syncCursor: 'c' });
    expect(await store().load('google', 'default')).toMatchObject({ contactCount: 2, failedContacts: 1 });
  });

  it('refuses a second lease owner until the lease is released', async () => {
    const s = store();
    expect(await s.acquireLease('google', 'default', 'host-a', 60_000)).toBe(true);
    expect(await s.acquireLease('google', 'default', 'host-b', 60_000)).toBe(false);
    expect(await s.leaseHolder('google', 'default')).toBe('host-a');
    // the holder renews; another account is independent
    expect(await s.acquireLease('google', 'default', 'host-a', 60_000)).toBe(true);
    expect(await s.acquireLease('google', 'other', 'host-b', 60_000)).toBe(true);
    await s.releaseLease('google', 'default', 'host-b'); // not the holder: no effect
    expect(await s.leaseHolder('google', 'default')).toBe('host-a');
    await s.releaseLease('google', 'default', 'host-a');
    expect(await s.leaseHolder('google', 'default')).toBeNull();
    expect(await s.acquireLease('google', 'default', 'host-b', 60_000)).toBe(true);
  });

  it('hands an expired lease to the next owner', async () => {
    const clock = new ManualClock();
    const s = store(clock);
    expect(await s.acquireLease('google', 'default', 'host-a', 1_000)).toBe(true);
    clock.advance(999);
    expect(await s.acquireLease('google', 'default', 'host-b', 1_000)).toBe(false);
    clock.advance(2);
    expect(await s.leaseHolder('google', 'default')).toBeNull();
    expect(await s.acquireLease('google', 'default', 'host-b', 1_000)).toBe(true);
    expect(await s.leaseHolder('google', 'default')).toBe('host-b');
  });

  it('takes the lease once when two owners race for it', async () => {
    const s = store();
    const results = await Promise.all(
      ['a', 'b', 'c', 'd'].map((owner) => s.acquireLease('google', 'default', owner, 60_000)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('keeps the lease and sync fields apart: a save does not touch the lease', async () => {
    const s = store();
    await s.acquireLease('google', 'default', 'host-a', 60_000);
    await s.save('google', 'default', { syncCursor: 'c', checkpoint: { pageToken: 'x' } });
    expect(await s.leaseHolder('google', 'default')).toBe('host-a');
    expect((await s.load('google', 'default')).syncCursor).toBe('c');
  });

  it('stores the schedule the sync policy decides, for every account in one read', async () => {
    const s = store();
    const due = new Date('2026-03-01T10:15:00Z');
    const full = new Date('2026-03-07T10:00:00Z');
    expect(await s.load('google', 'default')).toMatchObject({
      nextIncrementalDueAt: null,
      nextFullDueAt: null,
      consecutiveFailures: 0,
      retryAfter: null,
      parkedReason: null,
      parkedCredentials: null,
    });
    await s.save('google', 'default', {
      nextIncrementalDueAt: due,
      nextFullDueAt: full,
      consecutiveFailures: 3,
      retryAfter: due,
    });
    await s.save('google', 'work', { parkedReason: 'auth', parkedCredentials: 'f1', consecutiveFailures: 0 });
    const [work, ours] = [await s.load('google', 'work'), await s.load('google', 'default')];
    expect(ours).toMatchObject({ consecutiveFailures: 3, parkedReason: null });
    expect(ours.nextIncrementalDueAt?.toISOString()).toBe(due.toISOString());
    expect(ours.nextFullDueAt?.toISOString()).toBe(full.toISOString());
    expect(ours.retryAfter?.toISOString()).toBe(due.toISOString());
    expect(work).toMatchObject({ parkedReason: 'auth', parkedCredentials: 'f1', nextIncrementalDueAt: null });
    expect((await s.list()).map((x) => [x.accountId, x.consecutiveFailures])).toEqual([
      ['default', 3],
      ['work', 0],
    ]);
    // Cleared with null, as the policy does after a completed cycle.
    await s.save('google', 'work', { parkedReason: null, parkedCredentials: null });
    expect(await s.load('google', 'work')).toMatchObject({ parkedReason: null, parkedCredentials: null });
  });

  it('refuses a parked reason the policy does not know, and a negative failure count', async () => {
    const t2 = butlerTables(t.butlerSchema).contactsSyncState;
    await expect(
      t.db.insert(t2).values({ provider: 'google', accountId: 'x', parkedReason: 'tired' }),
    ).rejects.toThrow();
    await expect(
      t.db.insert(t2).values({ provider: 'google', accountId: 'y', consecutiveFailures: -1 }),
    ).rejects.toThrow();
  });
});
