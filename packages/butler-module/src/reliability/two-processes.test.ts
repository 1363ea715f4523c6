import {
  type GoogleEmulator,
  generateAddressBook,
  type Person,
  startGoogleEmulator,
} from '@contacts/google-emulator';
import { type ContactsDatabase, migrate, queryRows } from '@contacts/schema';
import { createTestDatabase, TEST_DATABASE_URL_ENV, type TestDatabase } from '@contacts/schema/testing';
import { type SQL, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DbCredentialStore } from '../credentials/db-credential-store.js';
import { emulatorCredentials, seedCredentials } from '../test-support/module-harness.js';
import { EventSequence, RecordingProxy } from '../test-support/recording-proxy.js';
import { ServeProcess, type ToolOutcome, waitFor } from '../test-support/serve-process.js';
import {
  installSyncAudit,
  isSyncPage,
  overlappingSpans,
  readSyncAudit,
  type SyncSpan,
  syncSpans,
} from '../test-support/sync-audit.js';

// Real `contacts serve` processes, so PostgreSQL only: PGlite is an embedded database that one
// process owns (the CLI even locks its data directory), so two processes cannot share one.
const url = process.env[TEST_DATABASE_URL_ENV];

/** The sentence `contacts_sync_now` answers with while another process holds the account's lease. */
const BUSY = /^A sync of google \(default\) is already running in another process; try again/;
/** `people` generated, minus those without an e-mail (see the book below): about 2,250, 3 pages of 1,000. */
const GENERATED_PEOPLE = 2_500;
const LEASE_TTL_SECONDS = 3;

type Outcome = 'waited' | 'refused';

/** A `contacts_sync_now` answer is either a summary (it waited its turn) or the busy sentence. */
function classify(result: ToolOutcome): Outcome {
  if (!result.isError) {
    expect(result.structured).toMatchObject({ provider: 'google', account_id: 'default' });
    expect(result.structured?.summary).toMatchObject({ failed: 0 });
    return 'waited';
  }
  expect(result.text).toMatch(BUSY);
  return 'refused';
}

const count = (outcomes: Outcome[], kind: Outcome) => outcomes.filter((o) => o === kind).length;

async function storeCredentials(db: ContactsDatabase, butlerSchema: string, emulator: GoogleEmulator) {
  const store = new DbCredentialStore({ db, butlerSchema });
  await seedCredentials(store, emulatorCredentials(emulator));
}

/**
 * Exactly one CRM contact per live source person, reached through exactly one live link whose
 * contact holds the person's e-mail; no e-mail on two contacts; the state row idle and clean.
 */
async function expectOnePersonEach(db: ContactsDatabase, butlerSchema: string, people: Person[]) {
  const s = sql.identifier(butlerSchema);
  const one = async (query: SQL) => Number((await queryRows<{ n: number }>(db, query))[0]?.n);
  expect(await one(sql`select count(*)::int as n from shared.contacts`)).toBe(people.length);
  expect(
    await one(sql`select count(*)::int as n from (select normalized_value from shared.contact_info
      where type = 'email' group by normalized_value having count(distinct contact_id) > 1) d`),
  ).toBe(0);
  expect(
    await one(sql`select count(*)::int as n from ${s}.contacts_source_links where deleted_at is null`),
  ).toBe(people.length);
  expect(
    await one(sql`select count(*)::int as n from (select local_contact_id from ${s}.contacts_source_links
      where deleted_at is null group by local_contact_id having count(*) > 1) d`),
  ).toBe(0);
  const expected = people.map((p) => ({
    id: p.resourceName,
    email: p.emailAddresses![0]!.value!.toLowerCase(),
  }));
  // Every person has its live link, and the linked contact carries the person's first e-mail.
  expect(
    await one(sql`select count(*)::int as n
      from jsonb_to_recordset(${JSON.stringify(expected)}::jsonb) as p(id text, email text)
      where not exists (
        select 1 from ${s}.contacts_source_links l
        join shared.contact_info i on i.contact_id = l.local_contact_id
          and i.type = 'email' and i.normalized_value = p.email
        where l.provider = 'google' and l.account_id = 'default'
          and l.external_contact_id = p.id and l.deleted_at is null)`),
  ).toBe(0);
  expect(await one(sql`select count(*)::int as n from ${s}.contacts_sync_failures`)).toBe(0);
  const [state] = await queryRows<Record<string, unknown>>(
    db,
    sql`select lock_owner, lock_expires_at, checkpoint, last_error,
        sync_cursor is not null as cursor_present, last_success_at is not null as succeeded,
        last_full_sync_at is not null as full_synced
      from ${s}.contacts_sync_state where provider = 'google' and account_id = 'default'`,
  );
  expect(state).toEqual({
    lock_owner: null,
    lock_expires_at: null,
    checkpoint: null,
    last_error: null,
    cursor_present: true,
    succeeded: true,
    full_synced: true,
  });
}

/** The lease as the audit triggers saw it: only acquire, renew and release, one run per cycle. */
async function expectCleanLeaseHistory(db: ContactsDatabase, butlerSchema: string) {
  const audit = await readSyncAudit(db, butlerSchema);
  expect(audit.takeovers).toEqual([]);
  expect(audit.reacquired).toEqual([]);
  expect(audit.unleasedWrites).toEqual([]);
  expect(audit.linkWrites.rows).toBeGreaterThan(0);
  return audit;
}

describe.skipIf(!url)('two `contacts serve` processes on one PostgreSQL database [postgres]', () => {
  let emulator: GoogleEmulator;
  const databases: TestDatabase[] = [];
  const proxies: RecordingProxy[] = [];
  const servers: ServeProcess[] = [];
  const sequence = new EventSequence();

  beforeAll(async () => {
    const book = generateAddressBook({ seed: 71, people: GENERATED_PEOPLE, awkwardEvery: 0 });
    // Only people with an e-mail. The others resolve by phone or by name, and a name shared by
    // several people is, by design, never merged: a second butler schema, which does not see the
    // first one's links, can then create that person again. That is identity policy, not
    // concurrency, and would blur what these tests are about.
    emulator = await startGoogleEmulator({
      book: { ...book, people: book.people.filter((p) => (p.emailAddresses?.length ?? 0) > 0) },
    });
  });

  afterAll(async () => {
    // Proxies first: they let held requests go, so no server waits on a page while stopping.
    await Promise.allSettled(proxies.map((p) => p.close()));
    await Promise.allSettled(servers.map((s) => s.close()));
    await emulator?.close();
    await Promise.allSettled(databases.map((d) => d.close()));
  });

  /** A throwaway database with `schemas` migrated, credentials stored and the audit installed. */
  async function database(...schemas: string[]): Promise<TestDatabase> {
    const created = await createTestDatabase('postgres', { butlerSchema: schemas[0] });
    databases.push(created);
    for (const schema of schemas) {
      await migrate(created.db, { butlerSchema: schema });
      await storeCredentials(created.db, schema, emulator);
      await installSyncAudit(created.db, schema);
    }
    return created;
  }

  async function proxy(name: string): Promise<RecordingProxy> {
    const started = await RecordingProxy.start(name, emulator.url, sequence);
    proxies.push(started);
    return started;
  }

  async function serve(
    name: string,
    db: TestDatabase,
    butlerSchema: string,
    via: RecordingProxy,
    env: Record<string, string> = {},
  ): Promise<ServeProcess> {
    const server = await ServeProcess.start(
      name,
      [
        ...['--database-url', db.url!, '--butler-schema', butlerSchema],
        ...['--google-root-url', via.url, '--google-token-url', via.tokenUrl],
      ],
      env,
    );
    servers.push(server);
    return server;
  }

  const syncNow = (server: ServeProcess, mode?: 'full' | 'incremental') =>
    server.call('contacts_sync_now', mode ? { mode } : {});

  it('one butler schema: one sync at a time across processes; the other waits or says one is running', async () => {
    const db = await database('relationship');
    const [proxyA, proxyB] = [await proxy('a'), await proxy('b')];

    // A's startup sync (full: no cursor yet) stops before its second page until released.
    const held = proxyA.holdNext((r) => isSyncPage(r) && r.query.has('pageToken'));
    const a = await serve('a', db, 'relationship', proxyA);
    await held.reached;
    // B starts while A syncs: its own startup sync finds the lease taken, and waits for its next poll.
    const b = await serve('b', db, 'relationship', proxyB);
    await waitFor(
      'B to find its startup sync busy',
      () => b.stderr.includes('contacts_sync_busy') || undefined,
    );
    expect((await b.call('contacts_sync_status')).structured).toMatchObject({ running: true });

    // During A's sync: on A, calls wait for it and then share one follow-up cycle; on B, they are
    // turned away with a sentence, at once.
    let settledOnA = 0;
    const onA = [syncNow(a), syncNow(a, 'full'), syncNow(a, 'incremental')].map((call) =>
      call.finally(() => {
        settledOnA += 1;
      }),
    );
    const onB = await Promise.all([syncNow(b), syncNow(b, 'full'), syncNow(b, 'incremental'), syncNow(b)]);
    expect(onB.map(classify)).toEqual(['refused', 'refused', 'refused', 'refused']);
    // A answers a status call after it has queued the three calls above (one stdin, in order);
    // none of them may finish while its startup sync is still held.
    expect((await a.call('contacts_sync_status')).structured).toMatchObject({ running: true });
    expect(settledOnA).toBe(0);
    held.release();
    const firstOnA = await Promise.all(onA);
    expect(firstOnA.map(classify)).toEqual(['waited', 'waited', 'waited']);
    // One follow-up served all three, in the strongest mode asked for.
    expect(new Set(firstOnA.map((r) => JSON.stringify(r.structured))).size).toBe(1);
    expect(firstOnA[0]!.structured).toMatchObject({ mode: 'full' });

    // Then both race, round after round, with people added and changed at the source in between.
    const raced: Outcome[] = [];
    const rounds = 4;
    for (let round = 0; round < rounds; round += 1) {
      for (let i = 0; i < 3; i += 1) {
        emulator.admin.addPerson({
          names: [{ givenName: 'Racer', familyName: `R${round}N${i}` }],
          emailAddresses: [{ value: `racer-${round}-${i}@example.test` }],
        });
      }
      for (const person of emulator.admin.people().slice(round * 50, round * 50 + 40)) {
        emulator.admin.updatePerson(person.resourceName, {
          organizations: [{ name: `Round ${round} Ltd`, title: 'Tester' }],
        });
      }
      const results = await Promise.all([
        syncNow(a, round % 2 ? 'full' : undefined),
        syncNow(b, round % 2 ? undefined : 'full'),
        syncNow(b),
        syncNow(a, 'incremental'),
      ]);
      raced.push(...results.map(classify));
    }
    // Whatever the last round turned away, one more sync brings everything in.
    expect(classify(await syncNow(b))).toBe('waited');
    await waitFor('both processes idle', async () => {
      const statuses = await Promise.all([a, b].map((s) => s.call('contacts_sync_status')));
      return statuses.every((st) => st.structured?.running === false) || undefined;
    });

    // Never two cycles fetching at once: each cycle's page requests (first to last) are disjoint.
    const spans = syncSpans([...proxyA.requests, ...proxyB.requests]);
    expect(overlappingSpans(spans)).toEqual([]);
    expect(new Set(spans.map((span) => span.proxy))).toEqual(new Set(['a', 'b']));
    // And the database agrees: one lease run per cycle, every link written under a held lease.
    const audit = await expectCleanLeaseHistory(db.db, 'relationship');
    expect(audit.owners).toHaveLength(spans.length);
    await expectOnePersonEach(db.db, 'relationship', emulator.admin.people());
    for (const server of [a, b]) {
      expect(server.protocolErrors).toEqual([]);
      expect(server.stderr).not.toMatch(/contacts_sync_failed|contacts_sync_backoff/);
    }
    report('one schema', {
      people: emulator.admin.people().length,
      pages_per_full_sync: spans.find((span) => span.mode === 'full')?.pages,
      cycles: spans.length,
      held_phase: { on_b_refused: onB.length, on_a_waited: firstOnA.length },
      raced: { calls: raced.length, waited: count(raced, 'waited'), refused: count(raced, 'refused') },
      link_rows_written: audit.linkWrites.rows,
    });
  }, 90_000);

  it('two butler schemas syncing one account into the same shared tables at once: nobody twice', async () => {
    const db = await database('butler_one', 'butler_two');
    const [proxyC, proxyD] = [await proxy('c'), await proxy('d')];
    // Both startup syncs are held at their first page, then let go together: both create the same
    // people at the same moment, each schema with its own lease (they do not exclude each other).
    const heldC = proxyC.holdNext(isSyncPage);
    const heldD = proxyD.holdNext(isSyncPage);
    const [c, d] = await Promise.all([
      serve('c', db, 'butler_one', proxyC),
      serve('d', db, 'butler_two', proxyD),
    ]);
    await Promise.all([heldC.reached, heldD.reached]);
    heldC.release();
    heldD.release();
    await waitFor(
      'both startup syncs to finish',
      () => [c, d].every((s) => s.stderr.includes('contacts_sync_finished')) || undefined,
    );
    // New people at the source, picked up by both at once.
    for (let i = 0; i < 5; i += 1) {
      emulator.admin.addPerson({
        names: [{ givenName: 'Twin', familyName: `Schema${i}` }],
        emailAddresses: [{ value: `twin-${i}@example.test` }],
      });
    }
    const both = await Promise.all([syncNow(c), syncNow(d, 'full')]);
    expect(both.map(classify)).toEqual(['waited', 'waited']);

    const spans = syncSpans([...proxyC.requests, ...proxyD.requests]);
    const crossed = overlappingSpans(spans).filter(([x, y]) => x.proxy !== y.proxy);
    expect(crossed.length).toBeGreaterThan(0);
    const people = emulator.admin.people();
    for (const schema of ['butler_one', 'butler_two']) {
      await expectCleanLeaseHistory(db.db, schema);
      await expectOnePersonEach(db.db, schema, people);
    }
    // Each schema has its own links, and they lead to the same person.
    const [diverging] = await queryRows<{ n: number }>(
      db.db,
      sql`select count(*)::int as n from butler_one.contacts_source_links one
        full join butler_two.contacts_source_links two
          using (provider, account_id, external_contact_id)
        where one.local_contact_id is distinct from two.local_contact_id`,
    );
    expect(Number(diverging?.n)).toBe(0);
    report('two schemas', {
      people: people.length,
      cycles: spans.length,
      overlapping_cycles: crossed.length,
    });
  }, 90_000);

  /**
   * A process stopped at its second page of a full sync, after the first page committed: returns
   * it with what the lease row and the proxy saw at that point.
   */
  async function stoppedMidSync(name: string, db: TestDatabase, env: Record<string, string>) {
    const via = await proxy(name);
    const held = via.holdNext((r) => isSyncPage(r) && r.query.has('pageToken'));
    const server = await serve(name, db, 'relationship', via, env);
    await held.reached;
    // The second page is held, so the cycle gets no further than committing the first.
    await waitFor(`${name} to commit its first page`, async () => {
      const [row] = await queryRows<{ checkpoint: unknown }>(
        db.db,
        sql`select checkpoint from relationship.contacts_sync_state`,
      );
      return row?.checkpoint ? true : undefined;
    });
    const heldToken = via.requests.filter(isSyncPage).at(-1)?.query.get('pageToken');
    return { server, via, held, heldToken };
  }

  /** Calls `contacts_sync_now` on `server` until it is not turned away; returns what it answered before. */
  async function syncNowUntilServed(server: ServeProcess) {
    const outcomes: Outcome[] = [];
    await waitFor(
      `${server.name} to get the lease`,
      async () => {
        const outcome = classify(await syncNow(server));
        outcomes.push(outcome);
        return outcome === 'waited' ? true : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    return outcomes;
  }

  it("kill -9 mid-sync: the next process on this machine takes the dead holder's lease at once and resumes", async () => {
    const db = await database('relationship');
    const e = await stoppedMidSync('e', db, {});
    await e.server.kill9();
    const killedAt = sequence.next();

    // The default 10-minute lease: only the dead-holder check lets F in before it lapses.
    const proxyF = await proxy('f');
    const f = await serve('f', db, 'relationship', proxyF);
    const outcomes = await syncNowUntilServed(f);
    expect(f.stderr).toMatch(
      /contacts_sync_lease_taken_over provider=google account_id=default reason="holder process is gone"/,
    );
    // F resumed E's full sync at E's checkpoint (the page E never got), not from the start.
    expect(f.stderr).toMatch(
      /contacts_sync_started provider=google account_id=default mode=full resumed=true/,
    );
    const spansF = syncSpans(proxyF.requests);
    expect(spansF[0]?.start).toBeGreaterThan(killedAt);
    expect(proxyF.requests.find(isSyncPage)?.query.get('pageToken')).toBe(e.heldToken);

    const audit = await readSyncAudit(db.db, 'relationship');
    expect(audit.reacquired).toEqual([]);
    expect(audit.unleasedWrites).toEqual([]);
    expect(audit.takeovers.map((t) => [t.oldOwner, t.newOwner])).toEqual([
      [audit.owners[0], audit.owners[1]],
    ]);
    await expectOnePersonEach(db.db, 'relationship', emulator.admin.people());
    report('kill -9', {
      people: emulator.admin.people().length,
      refused_before_takeover: count(outcomes, 'refused'),
      cycles_f: spansF.map((span: SyncSpan) => `${span.mode}:${span.pages}p`).join(','),
    });
  }, 60_000);

  it('a frozen holder: its lease lapses after the TTL, another process takes over, and the holder, thawed, writes nothing', async () => {
    const db = await database('relationship');
    // A short lease (CONTACTS_SYNC_LEASE_TTL_SECONDS) so the test need not wait 10 minutes.
    const env = { CONTACTS_SYNC_LEASE_TTL_SECONDS: String(LEASE_TTL_SECONDS) };
    const e = await stoppedMidSync('e2', db, env);
    // Alive but silent: to F it looks like a holder on another host, so only the TTL frees it.
    e.server.freeze();

    const proxyF = await proxy('f2');
    const f = await serve('f2', db, 'relationship', proxyF, env);
    const outcomes = await syncNowUntilServed(f);
    expect(f.stderr).not.toMatch(/contacts_sync_lease_taken_over/);
    expect(f.stderr).toMatch(
      /contacts_sync_started provider=google account_id=default mode=full resumed=true/,
    );
    const afterTakeover = await readSyncAudit(db.db, 'relationship');
    expect(afterTakeover.takeovers).toHaveLength(1);
    const [takeover] = afterTakeover.takeovers;
    // Taken when the old lease had run out (the new expiry minus the TTL is when, on F's clock).
    expect(takeover!.newExpires!.getTime() - LEASE_TTL_SECONDS * 1000).toBeGreaterThanOrEqual(
      takeover!.oldExpires!.getTime(),
    );
    const finishedBefore = (e.server.stderr.match(/contacts_sync_finished/g) ?? []).length;

    // E wakes up with its page in flight, long after it lost the lease: that page must not commit,
    // and E must not carry on with the sync F already finished.
    e.server.thaw();
    e.held.release();
    await waitFor('E to end its stale cycle', () =>
      /contacts_sync_(busy|failed|finished)/.test(e.server.stderr.split('contacts_runtime_started')[1] ?? '')
        ? true
        : undefined,
    );
    await waitFor('the lease to be free', async () => {
      const [row] = await queryRows<{ lock_owner: string | null }>(
        db.db,
        sql`select lock_owner from relationship.contacts_sync_state`,
      );
      return row?.lock_owner === null ? true : undefined;
    });
    const audit = await readSyncAudit(db.db, 'relationship');
    // E's cycle took the lease once; after losing it, it must never hold it again.
    expect(audit.reacquired).toEqual([]);
    expect(audit.unleasedWrites).toEqual([]);
    expect((e.server.stderr.match(/contacts_sync_finished/g) ?? []).length).toBe(finishedBefore);
    await expectOnePersonEach(db.db, 'relationship', emulator.admin.people());
    report('frozen holder', {
      people: emulator.admin.people().length,
      lease_ttl_s: LEASE_TTL_SECONDS,
      refused_before_takeover: count(outcomes, 'refused'),
    });
  }, 60_000);
});

/** One line of figures per scenario, for whoever reads the test output. */
function report(scenario: string, figures: Record<string, unknown>) {
  console.info(`[two-processes] ${scenario}: ${JSON.stringify(figures)}`);
}
