import { ContactsSyncStateStore } from '@contacts/core';
import { type FaultOptions, type GoogleEmulator, startGoogleEmulator } from '@contacts/google-emulator';
import { GoogleContactsProvider } from '@contacts/provider-google';
import { queryRows } from '@contacts/schema';
import { type DatabaseFixture, describeDatabase } from '@contacts/schema/testing';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { sql } from 'drizzle-orm';
import { afterEach, expect, it } from 'vitest';
import { DbCredentialStore } from '../credentials/db-credential-store.js';
import { ContactsModule } from '../module/contacts-module.js';
import type { SourceReport } from '../status/source-list.js';
import type { SyncStatusReport } from '../status/sync-status.js';
import { CaptureLogger } from '../test-support/capture-logger.js';
import { ManualClock, ManualTimers } from '../test-support/manual-timers.js';
import {
  connectClient,
  emulatorCredentials,
  resultText,
  seedCredentials,
} from '../test-support/module-harness.js';
import { deferred } from '../test-support/page-hooks.js';

// Issue 7, deliverable 4: provider faults. The real runtime (inside the module, on injected clock
// and timers), the real Google provider and the People API emulator over HTTP, the real MCP
// tools. 23 people in pages of 5, so a fault can strike after two committed pages. For each
// fault: what the status tools say while it holds, that the pages committed before it are
// neither fetched nor applied again, and that the runtime recovers by itself once it clears.

const PEOPLE = 23;
const PAGE_SIZE = 5;
/** The provider's own retries within one call: three attempts in all. */
const RETRY = { maxAttempts: 3, baseDelayMs: 200, maxDelayMs: 60_000 };
/**
 * The provider's request timeout. Long by default: a loaded machine (PGlite runs on the event
 * loop) must never time out a request that was answered. Short only where a request hangs on
 * purpose, so that costs little real time.
 */
const REQUEST_TIMEOUT_MS = 10_000;
const HANG_TIMEOUT_MS = 600;
const BACKOFF_MS = 30_000; // the runtime's first backoff (DEFAULT_BACKOFF, jitter 0)
const INTERVAL_MS = 15 * 60_000;
const CREDENTIAL_CHECK_MS = 60_000;

type Mode = 'full' | 'incremental';
const MODES: Mode[] = ['full', 'incremental'];

interface Served {
  /** Google's page token, or `first`. */
  page: string;
  incremental: boolean;
  status: number;
  fault: string | undefined;
}

/** Waits (in tiny real steps, at most ~2 s) for something the emulator does on its own. */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !condition(); i += 1) await new Promise((resolve) => setTimeout(resolve, 5));
}

/** A sentence a person can read: starts with a capital, ends with a full stop, no stack, no JSON. */
function expectSentence(text: string | null | undefined): void {
  expect(text).toMatch(/^[A-Z].{20,}\.$/s);
  expect(text).not.toMatch(/\n\s+at |\{"/);
}

describeDatabase('provider faults: runtime + Google provider + emulator over HTTP', (t: DatabaseFixture) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function start(options: { requestTimeoutMs?: number; maxAttempts?: number } = {}) {
    const requestTimeoutMs = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
    const retry = { ...RETRY, maxAttempts: options.maxAttempts ?? RETRY.maxAttempts };
    const emulator: GoogleEmulator = await startGoogleEmulator({
      people: PEOPLE,
      otherContacts: 0,
      seed: 17,
    });
    cleanups.push(() => emulator.close());
    const clock = new ManualClock();
    const timers = new ManualTimers(clock);
    const logger = new CaptureLogger();
    /** Every wait the provider took between two attempts of one call. */
    const waits: number[] = [];
    let sleepGate: (() => Promise<void>) | null = null;
    /** Called whenever the provider has fetched a page (before the engine writes it). */
    const pageListeners = new Set<() => void>();
    const store = new DbCredentialStore({ db: t.db, butlerSchema: t.butlerSchema, clock });
    await seedCredentials(store, emulatorCredentials(emulator));

    const module = new ContactsModule();
    const server = new McpServer({ name: 'faults-butler', version: '0.0.0' });
    module.registerTools(server);
    const client: Client = await connectClient(server);
    cleanups.push(async () => {
      await module.onShutdown();
      await client.close();
    });
    await module.onStartup({
      config: { provider: 'google', sync: { run_on_startup: true } },
      db: t.db,
      butlerSchema: t.butlerSchema,
      credentialStore: store,
      logger,
      clock,
      timers,
      runtime: { random: () => 0, credentialCheckMs: CREDENTIAL_CHECK_MS },
      providerFactory: (request) =>
        new GoogleContactsProvider({
          ...request.credentials,
          rootUrl: emulator.url,
          tokenUrl: emulator.tokenUrl,
          pageSize: PAGE_SIZE,
          requestTimeoutMs,
          retry,
          sleep: async (ms) => {
            waits.push(ms);
            await sleepGate?.();
          },
          random: () => 0.5,
          clock,
          logger: {
            debug: (message, fields) => {
              request.logger.debug(message, fields);
              if (message === 'google page fetched') for (const listener of pageListeners) listener();
            },
            info: (message, fields) => request.logger.info(message, fields),
            warn: (message, fields) => request.logger.warn(message, fields),
            error: (message, fields) => request.logger.error(message, fields),
          },
        }),
    });
    const runtime = module.runtime!;
    timers.settle = () => runtime.whenIdle();

    const call = async (name: string) => (await client.callTool({ name, arguments: {} })) as CallToolResult;
    const status = async () =>
      (await call('contacts_sync_status')).structuredContent as unknown as SyncStatusReport;
    const source = async () =>
      ((await call('contacts_source_list')).structuredContent as { sources: SourceReport[] }).sources[0]!;
    const stateStore = new ContactsSyncStateStore({ db: t.db, butlerSchema: t.butlerSchema, clock });
    const checkpoint = async () => (await stateStore.load('google', 'default')).checkpoint;

    /** The connections requests served so far (from `from` on), page by page. */
    const served = (from = 0): Served[] =>
      emulator.admin
        .requests('connections')
        .slice(from)
        .map((r) => {
          const query = new URLSearchParams(r.query);
          return {
            page: query.get('pageToken') ?? 'first',
            incremental: query.has('syncToken'),
            status: r.status,
            fault: r.fault,
          };
        });
    const mark = () => emulator.admin.requests('connections').length;

    /** Live links and their etags, against the emulator's people and theirs. */
    const expectCrmMatchesEmulator = async () => {
      const rows = await queryRows<{ id: string; etag: string | null }>(
        t.db,
        sql`select external_contact_id as id, source_etag as etag
          from ${sql.identifier(t.butlerSchema)}.contacts_source_links
          where provider = 'google' and account_id = 'default' and deleted_at is null`,
      );
      const crm = Object.fromEntries(rows.map((r) => [r.id, r.etag]));
      const google = Object.fromEntries(emulator.admin.people().map((p) => [p.resourceName, p.etag]));
      expect(crm).toEqual(google);
      const [failures] = await queryRows<{ n: number }>(
        t.db,
        sql`select count(*)::int as n from ${sql.identifier(t.butlerSchema)}.contacts_sync_failures`,
      );
      expect(Number(failures?.n)).toBe(0);
    };

    /** Healthy: the last cycle completed, nothing failing, the next run is the regular interval. */
    const expectHealthy = async () => {
      const report = await status();
      expect(report).toMatchObject({
        running: false,
        cursor_present: true,
        last_error: null,
        last_success_at: clock.now().toISOString(),
        contact_count: emulator.admin.people().length,
        failed_contacts: 0,
      });
      expect(await source()).toMatchObject({ status: 'active', last_error: null });
      expect(await checkpoint()).toBeNull();
      expect(runtime.status()).toMatchObject({ state: 'idle', consecutiveFailures: 0, lastError: null });
      expect(timers.nextDelay()).toBe(INTERVAL_MS);
      await expectCrmMatchesEmulator();
    };

    /** The first (full) sync, completed: for the incremental cases. */
    const fullSyncFirst = async () => {
      await timers.runNext();
      await expectHealthy();
      return (await status()).last_success_at;
    };

    /** 12 updates, 1 new person, 1 deletion: three pages of changes (5, 5, 4). */
    const changeFourteen = () => {
      const people = emulator.admin.people();
      for (const person of people.slice(0, 12)) {
        emulator.admin.updatePerson(person.resourceName, {
          nicknames: [{ value: `Nick ${person.resourceName.slice(-4)}` }],
        });
      }
      emulator.admin.addPerson({ names: [{ givenName: 'Faulty', familyName: 'Newcomer' }] });
      emulator.admin.deletePerson(people.at(-1)!.resourceName);
    };

    /** Holds the provider's next wait between two attempts, so a test can look at a cycle in flight. */
    const holdNextRetry = () => {
      const reached = deferred();
      const release = deferred();
      sleepGate = async () => {
        sleepGate = null;
        reached.resolve();
        await release.promise;
      };
      return { reached: reached.promise, release: () => release.resolve() };
    };

    const onPage = (listener: () => void) => {
      pageListeners.add(listener);
      return () => void pageListeners.delete(listener);
    };

    return {
      onPage,
      emulator,
      clock,
      timers,
      logger,
      waits,
      store,
      runtime,
      call,
      status,
      source,
      checkpoint,
      served,
      mark,
      expectCrmMatchesEmulator,
      expectHealthy,
      fullSyncFirst,
      changeFourteen,
      holdNextRetry,
    };
  }
  type Harness = Awaited<ReturnType<typeof start>>;

  /** Every page of the listings served from `from` on was answered 200 exactly once. */
  function expectEachPageServedOnce(h: Harness, from: number): void {
    const ok = h.served(from).filter((s) => s.status === 200 && !s.fault);
    const keys = ok.map((s) => `${s.incremental ? 'incremental' : 'full'}:${s.page}`);
    expect(new Set(keys).size).toBe(keys.length);
  }

  /** Injects `fault` into the next full or incremental listing of connections. */
  function injectMidListing(h: Harness, mode: Mode, fault: FaultOptions): void {
    h.emulator.admin.injectFault({
      endpoint: 'connections',
      ...(mode === 'incremental' ? { when: 'withSyncToken' as const } : {}),
      ...fault,
    });
  }

  /**
   * Injects `fault` on the third page of the next full or incremental listing (two pages commit
   * first), runs the cycle, and returns the page token of the page that failed.
   */
  async function strikeThirdPage(h: Harness, mode: Mode, fault: FaultOptions): Promise<string> {
    const from = h.mark();
    injectMidListing(h, mode, { after: 2, ...fault });
    await h.timers.runNext();
    const served = h.served(from);
    const faulted = served.filter((s) => s.fault);
    expect(faulted.length).toBeGreaterThan(0);
    // Two pages went through and committed before the fault.
    expect(served.slice(0, 2).map((s) => s.status)).toEqual([200, 200]);
    expect(new Set(faulted.map((s) => s.page)).size).toBe(1);
    return faulted[0]!.page;
  }

  interface LastingFault {
    name: string;
    fault: FaultOptions;
    /** Requests of the failing page per cycle: the provider's attempts. */
    attempts: number;
    code: string;
    error: RegExp;
    /** The runtime's wait after the first failed cycle, at least. */
    minWaitMs: number;
    harness?: Parameters<typeof start>[0];
    /** Also run a second failing cycle (skipped where each attempt costs real time). */
    secondCycle: boolean;
    /** What `contacts_sync_now` answers while the runtime waits, when it refuses to call Google. */
    syncNowRefused?: RegExp;
    /** The wait Google asked for (`Retry-After`), which the runtime keeps: none unless Google asked. */
    retryAfterMs?: number;
  }

  const LASTING: LastingFault[] = [
    {
      name: '429 storm with Retry-After longer than the provider waits in one call',
      fault: { kind: 'rateLimit', retryAfterSeconds: 120, times: 1000 },
      attempts: 1,
      code: 'RATE_LIMITED',
      error: /quota is exhausted \(HTTP 429.*Retry-After asks for 120 s/s,
      minWaitMs: 120_000,
      secondCycle: true,
      syncNowRefused: /^google asked for no requests before \S+ \(rate limit\)/,
      retryAfterMs: 120_000,
    },
    {
      name: '429 storm without Retry-After',
      fault: { kind: 'rateLimit', retryAfterSeconds: null, times: 1000 },
      attempts: RETRY.maxAttempts,
      code: 'RATE_LIMITED',
      error: /quota is exhausted \(HTTP 429.*Gave up after 3 attempts/s,
      minWaitMs: BACKOFF_MS,
      secondCycle: true,
    },
    {
      name: '500 burst longer than the retry budget',
      fault: { kind: 'serverError', status: 500, times: 1000 },
      attempts: RETRY.maxAttempts,
      code: 'TEMPORARY',
      error: /failed with HTTP 500 \(INTERNAL: Internal error encountered\.\)\. Gave up after 3 attempts/,
      minWaitMs: BACKOFF_MS,
      secondCycle: true,
    },
    {
      name: '503 burst longer than the retry budget',
      fault: { kind: 'serverError', status: 503, times: 1000 },
      attempts: RETRY.maxAttempts,
      code: 'TEMPORARY',
      error:
        /failed with HTTP 503 \(UNAVAILABLE: The service is currently unavailable\.\)\. Gave up after 3 attempts/,
      minWaitMs: BACKOFF_MS,
      secondCycle: true,
    },
    {
      name: 'requests that hang until the request timeout',
      fault: { kind: 'hang', times: 1000 },
      // Each attempt costs the timeout in real time: two attempts.
      harness: { requestTimeoutMs: HANG_TIMEOUT_MS, maxAttempts: 2 },
      attempts: 2,
      code: 'TEMPORARY',
      error:
        /^Google did not answer people\.connections\.list within 600 ms: the request timed out\. Gave up after 2 attempts\.$/,
      minWaitMs: BACKOFF_MS,
      secondCycle: false,
    },
    {
      name: 'malformed JSON bodies',
      fault: { kind: 'malformed', times: 1000 },
      attempts: RETRY.maxAttempts,
      code: 'TEMPORARY',
      error: /malformed body.*Gave up after 3 attempts/,
      minWaitMs: BACKOFF_MS,
      secondCycle: true,
    },
  ];

  for (const scenario of LASTING) {
    for (const mode of MODES) {
      it(`${scenario.name}, mid-${mode} sync: reported while it lasts, progress kept, recovers by itself`, async () => {
        const h = await start(scenario.harness);
        const before = mode === 'incremental' ? await h.fullSyncFirst() : null;
        if (mode === 'incremental') h.changeFourteen();
        const from = h.mark();

        const failedPage = await strikeThirdPage(h, mode, scenario.fault);

        // While the fault lasts: the status tells the truth.
        // (A hung request is logged once the emulator sees the client close it: a moment later.)
        await until(() => h.served(from).filter((s) => s.fault).length >= scenario.attempts);
        expect(h.served(from).filter((s) => s.fault)).toHaveLength(scenario.attempts);
        const report = await h.status();
        expect(report).toMatchObject({
          running: false,
          cursor_present: mode === 'incremental',
          last_success_at: before,
          last_full_sync_at: before,
          last_incremental_sync_at: null,
          contact_count: mode === 'full' ? 2 * PAGE_SIZE : PEOPLE,
          failed_contacts: 0,
        });
        expect(report.last_error).toMatch(scenario.error);
        expectSentence(report.last_error);
        expect(await h.source()).toMatchObject({ status: 'error', last_error: report.last_error });
        expect(h.runtime.status()).toMatchObject({
          state: 'backoff',
          consecutiveFailures: 1,
          lastError: { code: scenario.code },
          // Never a made-up "Google asked us to wait" (a 429 without Retry-After asks for nothing).
          retryAfterUntil:
            scenario.retryAfterMs === undefined
              ? null
              : new Date(h.clock.now().getTime() + scenario.retryAfterMs),
        });
        expect(await h.checkpoint()).toMatchObject({ mode });
        // The runtime's own timer: at least the backoff, or what Retry-After asked for.
        const wait = h.timers.nextDelay()!;
        expect(wait).toBeGreaterThanOrEqual(scenario.minWaitMs);

        if (scenario.syncNowRefused) {
          const quiet = h.emulator.admin.requestCount();
          const refused = await h.call('contacts_sync_now');
          expect(refused.isError).toBe(true);
          expect(resultText(refused)).toMatch(scenario.syncNowRefused);
          expect(h.emulator.admin.requestCount()).toBe(quiet);
        }

        if (scenario.secondCycle) {
          // Nothing reaches Google before that timer is due.
          const quiet = h.emulator.admin.requestCount();
          await h.timers.advance(wait - 1);
          expect(h.emulator.admin.requestCount()).toBe(quiet);
          // A second cycle while it lasts: it resumes at the failed page, never refetching the two before.
          const second = h.mark();
          await h.timers.advance(1);
          const retried = h.served(second);
          expect(retried.map((s) => s.page)).toEqual(Array(scenario.attempts).fill(failedPage));
          expect(retried.every((s) => s.fault)).toBe(true);
          expect(h.runtime.status()).toMatchObject({ state: 'backoff', consecutiveFailures: 2 });
          expect(h.timers.nextDelay()).toBeGreaterThanOrEqual(Math.max(scenario.minWaitMs, 2 * BACKOFF_MS));
          expect(await h.status()).toMatchObject({ last_success_at: before, last_error: report.last_error });
        }

        // The fault clears: the runtime's next cycle resumes at the failed page and completes.
        h.emulator.admin.clearFaults();
        await h.timers.runNext();
        await h.expectHealthy();
        expectEachPageServedOnce(h, from);
        const result = h.runtime.status().lastResult!;
        expect(result).toMatchObject({ mode, resumed: true, completed: true, cursorExpired: false });
        // Only the pages from the failed one on were fetched and applied by the recovering cycle.
        expect(result.summary.fetched).toBe(mode === 'full' ? PEOPLE - 2 * PAGE_SIZE : 14 - 2 * PAGE_SIZE);
        const status = await h.status();
        expect(status[mode === 'full' ? 'last_full_sync_at' : 'last_incremental_sync_at']).toBe(
          status.last_success_at,
        );
      });
    }
  }

  interface PassingFault {
    name: string;
    fault: FaultOptions;
    /** Waits the provider takes inside the call, each at least this long. */
    minWaitMs: number;
  }

  const PASSING: PassingFault[] = [
    {
      name: '429 storm shorter than the retry budget (Retry-After: 2)',
      fault: { kind: 'rateLimit', retryAfterSeconds: 2, times: 2 },
      minWaitMs: 2_000,
    },
    {
      name: '500 burst shorter than the retry budget',
      fault: { kind: 'serverError', status: 500, times: 2 },
      minWaitMs: 0,
    },
    {
      name: '503 burst shorter than the retry budget',
      fault: { kind: 'serverError', status: 503, times: 2 },
      minWaitMs: 0,
    },
    { name: 'a malformed JSON body, twice', fault: { kind: 'malformed', times: 2 }, minWaitMs: 0 },
  ];

  for (const scenario of PASSING) {
    for (const mode of MODES) {
      it(`${scenario.name}, mid-${mode} sync: ridden out inside the call, never reported as a failure`, async () => {
        const h = await start();
        const before = mode === 'incremental' ? await h.fullSyncFirst() : null;
        if (mode === 'incremental') h.changeFourteen();
        const from = h.mark();
        injectMidListing(h, mode, { after: 2, ...scenario.fault });
        const held = h.holdNextRetry();
        const cycle = h.timers.runNext();
        await held.reached;
        // In flight, between two attempts: running, nothing failed yet, nothing claimed yet.
        expect(await h.status()).toMatchObject({
          running: true,
          last_error: null,
          last_success_at: before,
          cursor_present: mode === 'incremental',
        });
        expect(await h.source()).toMatchObject({
          status: mode === 'full' ? 'never_synced' : 'active',
          last_error: null,
        });
        held.release();
        await cycle;

        await h.expectHealthy();
        expectEachPageServedOnce(h, from);
        const times = scenario.fault.times ?? 1;
        expect(h.served(from).filter((s) => s.fault)).toHaveLength(times);
        expect(h.waits).toHaveLength(times);
        for (const wait of h.waits) expect(wait).toBeGreaterThanOrEqual(scenario.minWaitMs);
        expect(h.runtime.status().lastResult).toMatchObject({
          mode,
          resumed: false,
          completed: true,
          summary: { fetched: mode === 'full' ? PEOPLE : 14, failed: 0 },
        });
      });
    }
  }

  it('a token refresh that hangs past the timeout, at the start of a sync and mid-incremental: retried', async () => {
    const h = await start({ requestTimeoutMs: HANG_TIMEOUT_MS });
    h.emulator.admin.injectFault({ kind: 'hang', endpoint: 'token' });
    await h.timers.runNext();
    await h.expectHealthy();
    await until(() => h.emulator.admin.requests('token').length === 2);
    // (The hung request is logged when the emulator sees it closed: not always before the retry.)
    const tokenStatuses = () =>
      h.emulator.admin
        .requests('token')
        .map((r) => r.status)
        .sort();
    expect(tokenStatuses()).toEqual([0, 200]);

    // Mid-incremental: the access token dies after two pages, and the refresh hangs once.
    h.changeFourteen();
    const from = h.mark();
    let pages = 0;
    h.emulator.admin.injectFault({ kind: 'hang', endpoint: 'token' });
    const unsubscribe = h.onPage(() => {
      if (++pages === 2) h.emulator.admin.revokeAccessTokens();
    });
    await h.timers.runNext();
    unsubscribe();
    await h.expectHealthy();
    await until(() => h.emulator.admin.requests('token').length === 4);
    expect(tokenStatuses()).toEqual([0, 0, 200, 200]);
    expect(h.served(from).filter((s) => s.status === 401).length).toBeGreaterThan(0);
    expect(h.runtime.status().lastResult).toMatchObject({ mode: 'incremental', summary: { fetched: 14 } });
  });

  for (const mode of MODES) {
    it(`a page token that stops working mid-${mode} sync: the listing starts over in the same cycle`, async () => {
      const h = await start();
      const before = mode === 'incremental' ? await h.fullSyncFirst() : null;
      if (mode === 'incremental') h.changeFourteen();
      const from = h.mark();
      const deadPage = await strikeThirdPage(h, mode, { kind: 'invalidPageToken', after: 1, times: 1 });
      await h.expectHealthy();
      expect((await h.status()).last_success_at).not.toBe(before);
      const kind = mode === 'incremental';
      // (The emulator's page tokens are deterministic: the new listing's third page has the
      // dead token's value, and is served now that the fault is gone.)
      const served = h.served(from);
      expect(served.map((s) => [s.incremental, s.status])).toEqual([
        [kind, 200],
        [kind, 200],
        [kind, 400],
        ...Array(mode === 'full' ? 5 : 3).fill([kind, 200]),
      ]);
      expect(served[2]).toMatchObject({ page: deadPage, status: 400 });
      expect(served[3]).toMatchObject({ page: 'first', status: 200 });
      expect(h.logger.find('contacts_sync_listing_restarted')).toHaveLength(1);
      // The two pages applied before the fault came again and cost no writes. After an earlier
      // sync the provider reports their people unchanged (the engine holds their etags); in a
      // first sync the cycle's first lookup found no link at all, so the cycle asks no more and
      // they are sent again, and skipped by the engine on their etags.
      const { summary } = h.runtime.status().lastResult!;
      const again = 2 * PAGE_SIZE;
      expect(summary).toMatchObject({
        fetched: mode === 'full' ? PEOPLE + again : 14,
        skipped: mode === 'full' ? again : 0,
        unchanged: mode === 'full' ? 0 : again,
        created: mode === 'full' ? PEOPLE : 1,
        failed: 0,
      });
    });

    it(`a page token refused again after the restart (mid-${mode}): reported, no loop, resumed when it clears`, async () => {
      const h = await start();
      const before = mode === 'incremental' ? await h.fullSyncFirst() : null;
      if (mode === 'incremental') h.changeFourteen();
      const from = h.mark();
      injectMidListing(h, mode, { kind: 'invalidPageToken', after: 1, times: 2 });
      await h.timers.runNext();
      const report = await h.status();
      expect(report).toMatchObject({
        running: false,
        cursor_present: mode === 'incremental',
        last_success_at: before,
        failed_contacts: 0,
      });
      expect(report.last_error).toBe(
        'Google no longer accepts the page token of people.connections.list (HTTP 400, INVALID_ARGUMENT: Request contains an invalid argument.): the listing must start over from its first page.',
      );
      expect(await h.source()).toMatchObject({ status: 'error', last_error: report.last_error });
      expect(h.runtime.status()).toMatchObject({
        state: 'backoff',
        lastError: { code: 'PAGE_TOKEN_REFUSED' },
      });
      expect(h.timers.nextDelay()).toBe(BACKOFF_MS);
      // One restart, then the error, not a loop: the listing's third page is refused, it starts
      // over, and its next page token (the second page's) is refused too.
      expect(h.served(from).map((s) => s.status)).toEqual([200, 200, 400, 200, 400]);

      // The fault is gone: the next cycle resumes at the checkpoint (the restarted listing's
      // third page) and completes.
      const second = h.mark();
      await h.timers.runNext();
      await h.expectHealthy();
      expect(h.served(second).every((s) => s.status === 200)).toBe(true);
      expect(h.served(second).map((s) => s.page)).not.toContain('first');
      expectEachPageServedOnce(h, second);
    });
  }

  for (const fault of ['expiredSyncToken', 'syncTokenGone'] as const) {
    it(`an expired sync token mid-incremental (${fault}): a full sync at once, in the same cycle, for as long as it lasts`, async () => {
      const h = await start();
      await h.fullSyncFirst();
      h.changeFourteen();
      const from = h.mark();
      await strikeThirdPage(h, 'incremental', { kind: fault, times: 1000 });
      // No failure at all: the cycle dropped the cursor and completed a full sync.
      await h.expectHealthy();
      expect(h.runtime.status().lastResult).toMatchObject({
        mode: 'full',
        cursorExpired: true,
        completed: true,
      });
      const status = await h.status();
      expect(status.last_full_sync_at).toBe(status.last_success_at);
      expect(h.served(from).map((s) => [s.incremental, s.status])).toEqual([
        [true, 200],
        [true, 200],
        [true, fault === 'expiredSyncToken' ? 400 : 410],
        ...Array(5).fill([false, 200]),
      ]);
      expectEachPageServedOnce(h, from);

      // Still there at the next interval: each cycle falls back the same way, and stays healthy.
      await h.timers.runNext();
      await h.expectHealthy();
      expect(h.runtime.status().lastResult).toMatchObject({ mode: 'full', cursorExpired: true });
      // Cleared: incremental again.
      h.emulator.admin.clearFaults();
      const cleared = h.mark();
      await h.timers.runNext();
      await h.expectHealthy();
      expect(h.runtime.status().lastResult).toMatchObject({ mode: 'incremental', cursorExpired: false });
      expect(h.served(cleared)).toEqual([
        { page: 'first', incremental: true, status: 200, fault: undefined },
      ]);
    });
  }

  it('a sync token that expires while an incremental sync waits in backoff: the resumed cycle falls back to full', async () => {
    const h = await start();
    const before = await h.fullSyncFirst();
    h.changeFourteen();
    const failedPage = await strikeThirdPage(h, 'incremental', {
      kind: 'serverError',
      status: 503,
      times: 1000,
    });
    expect(await h.status()).toMatchObject({ cursor_present: true, last_success_at: before });
    // Google's clock passes the token's 7 days meanwhile (its access tokens die too).
    h.emulator.admin.advanceClock(7 * 86_400_000);
    h.emulator.admin.clearFaults();
    const from = h.mark();
    await h.timers.runNext();
    await h.expectHealthy();
    expect(h.runtime.status().lastResult).toMatchObject({ mode: 'full', cursorExpired: true, resumed: true });
    const served = h.served(from).filter((s) => s.status !== 401);
    expect(served[0]).toMatchObject({ page: failedPage, incremental: true, status: 400 });
    expect(served.slice(1).map((s) => [s.incremental, s.status])).toEqual(Array(5).fill([false, 200]));
  });

  for (const mode of MODES) {
    it(`a refresh token revoked between cycles, mid-${mode} sync: auth_error, no retries, resumes on new credentials`, async () => {
      const h = await start();
      const before = mode === 'incremental' ? await h.fullSyncFirst() : null;
      if (mode === 'incremental') h.changeFourteen();
      const from = h.mark();
      let failedPage: string | null = null;
      if (mode === 'full') {
        // A sync interrupted after two pages (a 503 burst), so there is progress to keep.
        failedPage = await strikeThirdPage(h, mode, {
          kind: 'serverError',
          status: 503,
          times: RETRY.maxAttempts,
        });
      }
      h.emulator.admin.revokeRefreshToken();
      await h.timers.runNext();

      const report = await h.status();
      expect(report).toMatchObject({
        running: false,
        cursor_present: mode === 'incremental',
        last_success_at: before,
        contact_count: mode === 'full' ? 2 * PAGE_SIZE : PEOPLE,
        failed_contacts: 0,
      });
      expect(report.last_error).toMatch(
        /^Google refused the refresh token \(invalid_grant: Token has been expired or revoked\.\): it was revoked or has expired\. Re-authorise the Google account through the dashboard OAuth flow\.$/,
      );
      expect(await h.source()).toMatchObject({ status: 'auth_error', last_error: report.last_error });
      expect(h.runtime.status()).toMatchObject({ state: 'auth_error', lastError: { code: 'AUTH_FAILED' } });
      expect(h.timers.nextDelay()).toBe(CREDENTIAL_CHECK_MS);
      if (mode === 'full') expect(await h.checkpoint()).toMatchObject({ mode: 'full' });

      // Refused credentials are not tried again: five checks later, nothing was sent to Google.
      const sent = h.emulator.admin.requestCount();
      await h.timers.advance(5 * CREDENTIAL_CHECK_MS);
      expect(h.emulator.admin.requestCount()).toBe(sent);
      expect(await h.source()).toMatchObject({ status: 'auth_error' });

      // Re-authorised: the new refresh token lands in the credential store; the runtime resumes.
      const fresh = h.emulator.admin.rotateRefreshToken();
      await h.store.set('GOOGLE_REFRESH_TOKEN', fresh);
      const resumed = h.mark();
      await h.timers.runNext();
      await h.expectHealthy();
      expect(h.runtime.status().lastResult).toMatchObject({
        mode,
        resumed: mode === 'full',
        summary: { fetched: mode === 'full' ? PEOPLE - 2 * PAGE_SIZE : 14 },
      });
      if (failedPage) expect(h.served(resumed)[0]).toMatchObject({ page: failedPage, status: 200 });
      expectEachPageServedOnce(h, from);
      expect(h.logger.text()).not.toContain(fresh);
    });
  }
});
