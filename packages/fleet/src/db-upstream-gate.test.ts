import type { Clock } from '@contacts/core';
import { queryRows } from '@contacts/schema';
import { describeDatabase } from '@contacts/schema/testing';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { expect, it } from 'vitest';
import { DbUpstreamGate, type DbUpstreamGateOptions, type GateTimers } from './db-upstream-gate.js';
import type { UpstreamAcquire, UpstreamSlot } from './upstream-gate.js';

const start = Date.parse('2026-05-01T12:00:00Z');

/** A clock the test moves, and timers the test fires by hand. */
function manual() {
  let now = start;
  const clock: Clock = { now: () => new Date(now) };
  const pending = new Map<number, () => void>();
  let next = 0;
  const timers: GateTimers = {
    setTimeout: (callback) => {
      next += 1;
      pending.set(next, callback);
      return next;
    },
    clearTimeout: (handle) => void pending.delete(handle as number),
  };
  return {
    clock,
    timers,
    advance: (ms: number) => {
      now += ms;
    },
    /** Fires every pending timer once (the renewals due), and waits for their statements. */
    fire: async () => {
      const due = [...pending.values()];
      pending.clear();
      for (const callback of due) callback();
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
    },
    pending: () => pending.size,
  };
}

const slotOf = (taken: UpstreamAcquire): UpstreamSlot => {
  if (!('slot' in taken)) throw new Error(`no slot: ${taken.reason} until ${taken.retryAt.toISOString()}`);
  return taken.slot;
};

describeDatabase('DbUpstreamGate', (t) => {
  const gate = (time: ReturnType<typeof manual>, options: Partial<DbUpstreamGateOptions> = {}) =>
    new DbUpstreamGate({
      db: t.db,
      clock: time.clock,
      timers: time.timers,
      caps: { default: 2 },
      leaseMs: 60_000,
      fullRetryMs: 5_000,
      ...options,
    });

  it('gives out at most the cap, a slot again once released, in one statement per acquire', async () => {
    const time = manual();
    const g = gate(time);
    t.statements.reset();
    const first = slotOf(await g.tryAcquire('google:a', 'w1:j1'));
    expect(t.statements.count).toBe(1);
    slotOf(await g.tryAcquire('google:a', 'w1:j2'));
    t.statements.reset();
    expect(await g.tryAcquire('google:a', 'w2:j3')).toEqual({
      retryAt: new Date(start + 5_000),
      reason: 'full',
    });
    expect(t.statements.count).toBe(2);
    await first.release();
    await first.release(); // twice is once
    slotOf(await g.tryAcquire('google:a', 'w2:j3'));
    expect(await g.tryAcquire('google:a', 'w2:j4')).toMatchObject({ reason: 'full' });
  });

  it('takes per-upstream caps over the default, and caps each upstream apart', async () => {
    const time = manual();
    const g = gate(time, { caps: { default: 1, upstreams: { 'carddav:dav.example.com:443': 3 } } });
    for (let i = 0; i < 3; i++) slotOf(await g.tryAcquire('carddav:dav.example.com:443', `w:${i}`));
    expect(await g.tryAcquire('carddav:dav.example.com:443', 'w:3')).toMatchObject({ reason: 'full' });
    slotOf(await g.tryAcquire('google:a', 'w:4'));
    expect(await g.tryAcquire('google:a', 'w:5')).toMatchObject({ reason: 'full' });
    slotOf(await g.tryAcquire('google:b', 'w:6'));
  });

  it("frees a dead holder's slot after its lease, and the dead holder's release frees nothing", async () => {
    const time = manual();
    const g = gate(time, { caps: { default: 1 } });
    const dead = slotOf(await g.tryAcquire('google:a', 'w1:j1'));
    time.advance(30_000);
    // Full: try again after fullRetryMs (5 s), sooner than the lease lapses (30 s).
    expect(await g.tryAcquire('google:a', 'w2:j2')).toEqual({
      retryAt: new Date(start + 35_000),
      reason: 'full',
    });
    time.advance(30_000);
    const taker = slotOf(await g.tryAcquire('google:a', 'w2:j2'));
    await dead.release();
    expect(await g.tryAcquire('google:a', 'w3:j3')).toMatchObject({ reason: 'full' });
    await taker.release();
    slotOf(await g.tryAcquire('google:a', 'w3:j3'));
  });

  it('answers a full upstream with the next lapse when it comes before fullRetryMs', async () => {
    const time = manual();
    const g = gate(time, { caps: { default: 1 } });
    slotOf(await g.tryAcquire('google:a', 'w1:j1'));
    time.advance(58_000);
    expect(await g.tryAcquire('google:a', 'w2:j2')).toEqual({
      retryAt: new Date(start + 60_000),
      reason: 'full',
    });
  });

  it('renews a held slot on its timer, so a live holder keeps it past the first lease', async () => {
    const time = manual();
    const g = gate(time, { caps: { default: 1 }, renewEveryMs: 20_000 });
    const held = slotOf(await g.tryAcquire('google:a', 'w1:j1'));
    expect(time.pending()).toBe(1);
    time.advance(40_000);
    await time.fire(); // lease now until start + 100 s
    time.advance(30_000);
    expect(await g.tryAcquire('google:a', 'w2:j2')).toMatchObject({ reason: 'full' });
    await held.release();
    expect(time.pending()).toBe(0);
    slotOf(await g.tryAcquire('google:a', 'w2:j2'));
  });

  it('pauses an upstream until the time given; a later pause extends it, an earlier one does not', async () => {
    const time = manual();
    const g = gate(time);
    await g.pause('google:a', new Date(start + 30_000));
    expect(await g.tryAcquire('google:a', 'w1:j1')).toEqual({
      retryAt: new Date(start + 30_000),
      reason: 'paused',
    });
    await g.pause('google:a', new Date(start + 90_000));
    await g.pause('google:a', new Date(start + 10_000));
    time.advance(60_000);
    expect(await g.tryAcquire('google:a', 'w1:j1')).toEqual({
      retryAt: new Date(start + 90_000),
      reason: 'paused',
    });
    // Other upstreams go on meanwhile.
    slotOf(await g.tryAcquire('google:b', 'w1:j2'));
    slotOf(await g.tryAcquire('carddav:dav.example.com:443', 'w1:j3'));
    time.advance(30_000);
    slotOf(await g.tryAcquire('google:a', 'w1:j1'));
  });

  it('refuses caps, leases and renewals that cannot work', () => {
    const time = manual();
    expect(() => gate(time, { caps: { default: 0 } })).toThrow(/caps.default/);
    expect(() => gate(time, { caps: { default: 1, upstreams: { x: 1.5 } } })).toThrow(
      /caps.upstreams\["x"\]/,
    );
    expect(() => gate(time, { leaseMs: 10_000, renewEveryMs: 10_000 })).toThrow(/renewEveryMs/);
  });

  it.runIf(t.driver === 'postgres')(
    'never gives out more than the cap to acquirers racing on separate connections',
    async () => {
      const cap = 3;
      const workers = 8;
      const clients = Array.from({ length: workers }, () =>
        postgres(t.database.url ?? '', { max: 1, onnotice: () => {} }),
      );
      try {
        const time = manual();
        const gates = clients.map(
          (client) =>
            new DbUpstreamGate({
              db: drizzle(client),
              clock: time.clock,
              timers: time.timers,
              caps: { default: cap },
              leaseMs: 60_000,
            }),
        );
        let holding = 0;
        let peak = 0;
        let granted = 0;
        const run = async (g: DbUpstreamGate, worker: number) => {
          for (let round = 0; round < 40; round++) {
            const taken = await g.tryAcquire('google:race', `w${worker}:${round}`);
            if (!('slot' in taken)) continue;
            granted += 1;
            holding += 1;
            peak = Math.max(peak, holding);
            const [live] = await queryRows<{ n: number }>(
              t.db,
              sql`select count(*)::int as n from shared.upstream_slots where upstream = 'google:race'`,
            );
            expect(Number(live?.n)).toBeLessThanOrEqual(cap);
            holding -= 1;
            await taken.slot.release();
          }
        };
        await Promise.all(gates.map((g, i) => run(g, i)));
        expect(peak).toBeLessThanOrEqual(cap);
        expect(peak).toBeGreaterThan(1); // they did run at once
        expect(granted).toBeGreaterThanOrEqual(40);
      } finally {
        await Promise.all(clients.map((client) => client.end({ timeout: 5 })));
      }
    },
  );
});
