/**
 * Issue 16, deliverable 3: pages of different accounts written at once, each on its own
 * PostgreSQL connection. Pages carrying the same person wait for one another (and so make one
 * contact of them); pages of unrelated people do not wait at all. PostgreSQL only: PGlite has one
 * connection, so nothing there is ever concurrent.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { type ContactsDatabase, queryRows } from '@contacts/schema';
import { createTestDatabase, TEST_DATABASE_URL_ENV, type TestDatabase } from '@contacts/schema/testing';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import fc from 'fast-check';
import postgres from 'postgres';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CanonicalContactInput, CanonicalGroup } from '../model/canonical-contact.js';
import { readContacts } from './crm-snapshot.test-support.js';
import type { ContactBackfillEngine } from './engine.js';
import { testEngine } from './engine.test-support.js';

const url = process.env[TEST_DATABASE_URL_ENV];
const SESSIONS = 4;
const groups: CanonicalGroup[] = [
  { external_id: 'g/friends', name: 'Friends', system: false, deleted: false },
  { external_id: 'g/work', name: 'Work', system: false, deleted: false },
];

/** A transaction kept open between steps, so a test decides when it commits. */
interface OpenTransaction {
  run<T>(step: (tx: ContactsDatabase) => Promise<T>): Promise<T>;
  commit(): Promise<void>;
}

function openTransaction(db: ContactsDatabase): OpenTransaction {
  const steps: {
    step: (tx: ContactsDatabase) => Promise<unknown>;
    settle: (r: PromiseSettledResult<unknown>) => void;
  }[] = [];
  let wake: (() => void) | undefined;
  let closing = false;
  const done = db.transaction(async (tx) => {
    for (;;) {
      const next = steps.shift();
      if (next) {
        try {
          next.settle({ status: 'fulfilled', value: await next.step(tx) });
        } catch (error) {
          next.settle({ status: 'rejected', reason: error });
          throw error;
        }
        continue;
      }
      if (closing) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  });
  done.catch(() => {});
  const poke = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  return {
    run: <T>(step: (tx: ContactsDatabase) => Promise<T>) =>
      new Promise<T>((resolve, reject) => {
        steps.push({
          step,
          settle: (r) => (r.status === 'fulfilled' ? resolve(r.value as T) : reject(r.reason)),
        });
        poke();
      }),
    commit: () => {
      closing = true;
      poke();
      return done;
    },
  };
}

describe.skipIf(!url)('pages of several accounts at once, one connection each [postgres]', () => {
  let database: TestDatabase;
  const clients: ReturnType<typeof postgres>[] = [];
  const sessions: ContactsDatabase[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    for (let i = 0; i < SESSIONS; i += 1) {
      const client = postgres(database.url!, {
        max: 1,
        onnotice: () => {},
        connection: { application_name: `page-${i}` },
      });
      clients.push(client);
      sessions.push(drizzle(client));
    }
  });
  afterAll(async () => {
    for (const client of clients) await client.end({ timeout: 5 });
    await database?.close();
  });
  // What a test left open or running (it failed half-way): settled before the next one empties
  // the tables, else that waits on the open transaction's locks.
  const open: OpenTransaction[] = [];
  const running: Promise<unknown>[] = [];
  const begin = (i: number) => {
    const tx = openTransaction(sessions[i]!);
    open.push(tx);
    return tx;
  };
  const apply = (i: number, contacts: CanonicalContactInput[]) => {
    const work = engine(i).applyBatch(contacts);
    running.push(work.catch(() => {}));
    return work;
  };
  beforeEach(async () => {
    await database.reset();
  });
  afterEach(async () => {
    await Promise.allSettled(open.splice(0).map((tx) => tx.commit()));
    await Promise.allSettled(running.splice(0));
  });

  /** The engine of account `a<i>`, on session `i`. */
  const engine = (i: number, options: { identityLockCap?: number } = {}): ContactBackfillEngine =>
    testEngine(
      { db: sessions[i]!, butlerSchema: database.butlerSchema },
      { accountId: `a${i}`, groups, ...options },
    );

  /** Whether session `i` waits on a lock (advisory, row or transaction) right now. */
  const waiting = async (i: number) => {
    const [row] = await queryRows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from pg_stat_activity where application_name = ${`page-${i}`} and wait_event_type = 'Lock'`,
    );
    return (row?.n ?? 0) > 0;
  };

  /** `done` if `work` (on session `i`) finishes without waiting on a lock, `waiting` as soon as it waits. */
  const outcome = async (i: number, work: Promise<unknown>): Promise<'done' | 'waiting'> => {
    let finished = false;
    const done = work.then(() => {
      finished = true;
      return 'done' as const;
    });
    const watch = (async () => {
      while (!finished) {
        if (await waiting(i)) return 'waiting' as const;
        await delay(5);
      }
      return 'done' as const;
    })();
    return Promise.race([done, watch]);
  };

  const person = (id: string, extra: Partial<CanonicalContactInput>): CanonicalContactInput => ({
    external_id: id,
    ...extra,
  });

  it('does not make a page of other people wait for an open page', async () => {
    const first = begin(0);
    await first.run((tx) =>
      engine(0).applyBatchIn(tx, [
        person('p/ada', { display_name: 'Ada Lovelace', emails: [{ value: 'ada@x.org' }] }),
      ]),
    );
    const second = apply(1, [
      person('p/bob', { display_name: 'Bob Babbage', emails: [{ value: 'bob@x.org' }] }),
    ]);
    // Before: one database-wide lock, so the second page waited for the first to commit.
    expect(await outcome(1, second)).toBe('done');
    await first.commit();
    expect((await readContacts(database.db, database.butlerSchema)).map((c) => c.name).sort()).toEqual([
      'Ada Lovelace',
      'Bob Babbage',
    ]);
  });

  const ada = person('p/ada', {
    display_name: 'Ada Lovelace',
    nickname: 'Countess',
    emails: [{ value: 'ada@x.org' }],
    phones: [{ value: '+1 303 555 0100' }],
  });
  for (const [shared, other] of [
    ['an email', person('p/a2', { display_name: 'A. L.', emails: [{ value: 'ADA@x.org' }] })],
    ['a phone', person('p/a2', { display_name: 'A. L.', phones: [{ value: '+13035550100' }] })],
    ['a careful name', person('p/a2', { display_name: 'ada lovelace' })],
    ['a nickname (no name)', person('p/a2', { nickname: 'COUNTESS' })],
  ] as const) {
    it(`makes a page carrying the same new person (by ${shared}) wait, then join it`, async () => {
      const first = begin(0);
      await first.run((tx) => engine(0).applyBatchIn(tx, [ada]));
      const second = apply(1, [other]);
      expect(await outcome(1, second)).toBe('waiting');
      await first.commit();
      await second;
      const all = await readContacts(database.db, database.butlerSchema);
      expect(all).toHaveLength(1);
      expect(all[0]!.links.sort()).toEqual(['google:a0:p/ada', 'google:a1:p/a2']);
    });
  }

  it('makes a new person wait for a page that adds their email to a linked contact', async () => {
    await engine(0).applyBatch([person('p/ada', { display_name: 'Ada Lovelace' })]);
    const first = begin(0);
    await first.run((tx) =>
      engine(0).applyBatchIn(tx, [
        person('p/ada', { display_name: 'Ada Lovelace', etag: 'v2', emails: [{ value: 'ada@x.org' }] }),
      ]),
    );
    const second = apply(1, [person('p/other', { display_name: 'A. L.', emails: [{ value: 'ada@x.org' }] })]);
    expect(await outcome(1, second)).toBe('waiting');
    await first.commit();
    await second;
    expect(await readContacts(database.db, database.butlerSchema)).toHaveLength(1);
  });

  it('makes a new person wait for a page that drops their email from the contact it links', async () => {
    await engine(0).applyBatch([
      person('p/ada', { display_name: 'Ada Lovelace', emails: [{ value: 'ada@x.org' }] }),
    ]);
    const first = begin(0);
    // The source drops the email (and the page carries no key of it any more).
    await first.run((tx) =>
      engine(0).applyBatchIn(tx, [person('p/ada', { display_name: 'Ada King', etag: 'v2' })]),
    );
    const second = apply(1, [person('p/other', { display_name: 'A. L.', emails: [{ value: 'ada@x.org' }] })]);
    expect(await outcome(1, second)).toBe('waiting');
    await first.commit();
    await second;
    // As in a sequential run, the email was gone: a contact of its own.
    const all = await readContacts(database.db, database.butlerSchema);
    expect(all.map((c) => c.name).sort()).toEqual(['A. L.', 'Ada King']);
  });

  // One person in two accounts, found by email: the contact keeps a0's name, a1's is recorded.
  // a0 deletes its entry: the name passes to a1's value, `Augusta King`, in a page left open.
  for (const lookup of [
    { what: 'hands the linked contact another name', name: 'augusta king', sequential: ['Augusta King'] },
    {
      what: 'takes the name away from the linked contact',
      name: 'Ada Lovelace',
      sequential: ['Ada Lovelace', 'Augusta King'],
    },
  ]) {
    it(`makes a name lookup wait for a deletion that ${lookup.what}`, async () => {
      await engine(0).applyBatch([
        person('p/ada', { display_name: 'Ada Lovelace', emails: [{ value: 'ada@x.org' }] }),
      ]);
      await engine(1).applyBatch([
        person('p/aug', { display_name: 'Augusta King', emails: [{ value: 'ada@x.org' }] }),
      ]);
      const first = begin(0);
      await first.run((tx) => engine(0).applyBatchIn(tx, [person('p/ada', { deleted: true })]));
      const second = apply(2, [person('p/new', { display_name: lookup.name })]);
      expect(await outcome(2, second)).toBe('waiting');
      await first.commit();
      await second;
      // As in a sequential run: the careful name match sees the contact's name after the deletion.
      const all = await readContacts(database.db, database.butlerSchema);
      expect(all.map((c) => c.name).sort()).toEqual(lookup.sequential);
    });
  }

  it('makes every page wait for a page above the cap, which takes the global key exclusive', async () => {
    const first = begin(0);
    const big = Array.from({ length: 10 }, (_, i) =>
      person(`p/big${i}`, { display_name: `Big ${i}`, emails: [{ value: `big${i}@x.org` }] }),
    );
    const taken = await first.run(async (tx) => {
      await engine(0, { identityLockCap: 8 }).applyBatchIn(tx, big);
      return queryRows<{ mode: string; n: number }>(
        tx,
        sql`select mode, count(*)::int as n from pg_locks
          where locktype = 'advisory' and pid = pg_backend_pid() group by mode`,
      );
    });
    expect(taken).toEqual([{ mode: 'ExclusiveLock', n: 1 }]);
    const second = apply(1, [person('p/bob', { display_name: 'Bob', emails: [{ value: 'bob@x.org' }] })]);
    expect(await outcome(1, second)).toBe('waiting');
    await first.commit();
    await second;
    expect(await readContacts(database.db, database.butlerSchema)).toHaveLength(11);
  });

  it('never deadlocks two pages adding the same new labels in opposite orders', async () => {
    const first = begin(0);
    await first.run((tx) =>
      engine(0).applyBatchIn(tx, [person('p/x', { display_name: 'Xena', group_memberships: ['g/friends'] })]),
    );
    // Another person, both labels, listed Work first: it waits for the first page's new label.
    const second = apply(1, [
      person('p/y', { display_name: 'Yann', group_memberships: ['g/work', 'g/friends'] }),
    ]);
    expect(await outcome(1, second)).toBe('waiting');
    // The first page's transaction goes on to add the other label. Before, the second page held
    // `Work` already while waiting for `Friends`: a cycle, and PostgreSQL failed one of them.
    await first.run((tx) =>
      engine(0).applyBatchIn(tx, [person('p/z', { display_name: 'Zoe', group_memberships: ['g/work'] })]),
    );
    await first.commit();
    await second;
    expect(await readContacts(database.db, database.butlerSchema)).toHaveLength(3);
  });

  /**
   * The property: each account's page carries some of the same new people, each person always
   * under one anchor the resolver finds them by (an email, an E.164 phone, a careful name or,
   * without a name, a nickname), sometimes with another email or phone of theirs, and labels in
   * any order. Identity is then order-independent, so pages written at once must end as pages
   * written one after another: one contact per person, the same rows and links.
   */
  const MODES = ['email', 'phone', 'name', 'nick'] as const;
  const PEOPLE = 6;
  const copy = fc.record({
    present: fc.boolean(),
    alternates: fc.subarray(['email', 'phone'] as const),
    groups: fc.shuffledSubarray(['g/friends', 'g/work']),
  });
  const scenario = fc.record({
    modes: fc.array(fc.constantFrom(...MODES), { minLength: PEOPLE, maxLength: PEOPLE }),
    copies: fc.array(fc.array(copy, { minLength: SESSIONS, maxLength: SESSIONS }), {
      minLength: PEOPLE,
      maxLength: PEOPLE,
    }),
    orders: fc.array(fc.shuffledSubarray([...Array(PEOPLE).keys()], { minLength: PEOPLE }), {
      minLength: SESSIONS,
      maxLength: SESSIONS,
    }),
  });
  type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

  const pages = (s: Scenario): CanonicalContactInput[][] =>
    s.orders.map((order, a) =>
      order.flatMap((p) => {
        const c = s.copies[p]![a]!;
        if (!c.present) return [];
        const mode = s.modes[p]!;
        const emails = [
          ...(mode === 'email' ? [{ value: `p${p}@x.org` }] : []),
          ...(c.alternates.includes('email') ? [{ value: `p${p}.alt@y.org` }] : []),
        ];
        const phones = [
          ...(mode === 'phone' ? [{ value: `+1303555${p}000` }] : []),
          ...(c.alternates.includes('phone') ? [{ value: `+1720555${p}000` }] : []),
        ];
        return [
          {
            external_id: `people/p${p}`,
            ...(mode === 'nick' ? { nickname: `Nick${p}` } : { display_name: `Person ${p} ${mode}` }),
            emails,
            phones,
            group_memberships: c.groups,
          },
        ];
      }),
    );

  /** The CRM as identity sees it: per contact, its name, emails and phones, labels and links. */
  const identities = async () =>
    (await readContacts(database.db, database.butlerSchema))
      .map((c) => ({
        name: c.name,
        info: c.info.map((i) => i.split('|').slice(0, 2).join('|')).sort(),
        labels: c.labels,
        links: [...c.links].sort(),
      }))
      .sort((x, y) => x.links[0]!.localeCompare(y.links[0]!));

  it('makes one contact per person of pages written at once, as pages written one by one (property)', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const book = pages(s);
        await database.reset();
        await Promise.all(book.map((page, a) => engine(a).applyBatch(page)));
        const together = await identities();
        await database.reset();
        for (const [a, page] of book.entries()) await engine(a).applyBatch(page);
        const apart = await identities();

        const people = new Set(book.flat().map((c) => c.external_id));
        expect(together, 'one contact per person').toHaveLength(people.size);
        for (const c of together) {
          expect(new Set(c.links.map((l) => l.split(':')[2])).size, `one person in ${c.links}`).toBe(1);
        }
        expect(together).toEqual(apart);
      }),
      { numRuns: 20 },
    );
  }, 180_000);
});
