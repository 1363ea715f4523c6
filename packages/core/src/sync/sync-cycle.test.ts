import { randomBytes } from 'node:crypto';
import { butlerTables, contacts, queryRows } from '@contacts/schema';
import { describeDatabase } from '@contacts/schema/testing';
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { readContacts } from '../backfill/crm-snapshot.test-support.js';
import { CoreError } from '../errors.js';
import type { CanonicalContactInput } from '../model/canonical-contact.js';
import { ProviderError } from '../provider/provider-error.js';
import {
  MemoryAddressBook,
  MemoryContactsProvider,
  type MemoryContactsProviderOptions,
} from '../testing/memory-provider.js';
import { RESUMED_SWEEP_WINDOW_MS, runSyncCycle } from './sync-cycle.js';
import { ContactsSyncStateStore } from './sync-state-store.js';
import type { SyncCycleOptions } from './sync-types.js';

/** `n` simple contacts `people/01`.. with an email each. */
function people(n: number, from = 1): CanonicalContactInput[] {
  return Array.from({ length: n }, (_, i) => {
    const k = String(from + i).padStart(2, '0');
    return {
      external_id: `people/${k}`,
      display_name: `Person ${k}`,
      emails: [{ value: `p${k}@example.org` }],
    };
  });
}

describeDatabase('runSyncCycle', (t) => {
  /** Pages of three, so a few contacts make several pages. */
  const memory = (book: MemoryAddressBook, options: MemoryContactsProviderOptions = {}) =>
    new MemoryContactsProvider(book, { pageSize: 3, ...options });
  const setup = (n: number, options: MemoryContactsProviderOptions = {}) => {
    const book = new MemoryAddressBook();
    for (const p of people(n)) book.put(p);
    return { book, provider: memory(book, options) };
  };
  const run = (provider: MemoryContactsProvider, options: Partial<SyncCycleOptions> = {}) =>
    runSyncCycle({ db: t.db, butlerSchema: t.butlerSchema, provider, accountId: 'default', ...options });
  const store = () => new ContactsSyncStateStore({ db: t.db, butlerSchema: t.butlerSchema });
  const state = () => store().load('memory', 'default');
  const links = async () =>
    (await t.db.select().from(butlerTables(t.butlerSchema).contactsSourceLinks))
      .map((l) => `${l.externalContactId}${l.deletedAt ? ' (deleted)' : ''}`)
      .sort();
  const activity = async (type: string) =>
    queryRows<{ details: string }>(
      t.db,
      sql`select details::text as details from ${sql.identifier(t.butlerSchema)}.activity_feed where type = ${type}`,
    );
  const failures = async () =>
    queryRows<{ id: string; attempts: number; error: string }>(
      t.db,
      sql`select external_contact_id as id, attempts, error
        from ${sql.identifier(t.butlerSchema)}.contacts_sync_failures order by 1`,
    );

  it('runs a full sync of several pages and saves the cursor with the last page only', async () => {
    const seenStates: unknown[] = [];
    // Page k+1 is fetched while page k is written (prefetch): hold that fetch until page k has
    // committed, then read the state the commit left (the database is idle at that moment).
    const committed = new Map<number, () => void>();
    const pageCommitted = new Map<number, Promise<void>>();
    for (const page of [1, 2]) {
      pageCommitted.set(page, new Promise<void>((resolve) => committed.set(page, resolve)));
    }
    const { book, provider } = setup(7, {
      onPage: async (call) => {
        if (call.page > 1) {
          await pageCommitted.get(call.page - 1);
          const s = await state();
          seenStates.push({ cursor: s.syncCursor, checkpoint: s.checkpoint?.pageToken });
        }
      },
    });
    book.groups.push({ external_id: 'g/1', name: 'Friends', system: false, deleted: false });
    book.put({ ...book.contacts.get('people/01')!, group_memberships: ['g/1'] });
    const result = await run(provider, { onProgress: (p) => committed.get(p.page)?.() });
    expect(result).toMatchObject({
      mode: 'full',
      pages: 3,
      completed: true,
      resumed: false,
      cursorExpired: false,
    });
    expect(result.summary).toMatchObject({ fetched: 7, applied: 7, created: 7, failed: 0 });
    // Each committed page left its checkpoint, and no cursor before the last page.
    expect(seenStates).toEqual([
      { cursor: null, checkpoint: '1:8:people/03' },
      { cursor: null, checkpoint: '2:8:people/06' },
    ]);
    const s = await state();
    expect(s).toMatchObject({
      syncCursor: book.cursor(),
      checkpoint: null,
      lastError: null,
      contactCount: 7,
    });
    expect(s.lastFullSyncAt).toBeInstanceOf(Date);
    expect(s.cursorIssuedAt).toBeInstanceOf(Date);
    expect(s.lastSuccessAt).toBeInstanceOf(Date);
    expect(s.lastIncrementalSyncAt).toBeNull();
    const ada = (await readContacts(t.db, t.butlerSchema)).find((c) => c.name === 'Person 01');
    expect(ada?.labels).toEqual(['Friends']);
  });

  it('applies only the changes in an incremental sync', async () => {
    const { book, provider } = setup(7);
    await run(provider);
    book.put({ ...book.contacts.get('people/02')!, display_name: 'Renamed Two' });
    book.remove('people/05');
    book.put(people(1, 8)[0]!);
    provider.calls.length = 0;
    t.statements.reset();
    const result = await run(provider);
    expect(result).toMatchObject({ mode: 'incremental', pages: 1, completed: true });
    expect(result.summary).toMatchObject({ fetched: 3, applied: 2, created: 1, updated: 1, deleted: 1 });
    expect(provider.calls.map((c) => c.mode)).toEqual(['incremental']);
    expect(await links()).toContain('people/05 (deleted)');
    const names = (await readContacts(t.db, t.butlerSchema)).map((c) => c.name).sort();
    expect(names).toContain('Renamed Two');
    expect(names).toHaveLength(8);
    const s = await state();
    expect(s.syncCursor).toBe(book.cursor());
    expect(s.lastIncrementalSyncAt).toBeInstanceOf(Date);
    expect(s.contactCount).toBe(7);

    // Nothing changed since: one empty page, no contact written.
    t.statements.reset();
    const idle = await run(provider);
    expect(idle.summary).toMatchObject({ fetched: 0, applied: 0 });
    expect(t.statements.recent.filter((q) => /^\s*insert into shared/i.test(q))).toEqual([]);
  });

  it('drops an expired cursor and runs a full sync in the same cycle', async () => {
    const { book, provider } = setup(5);
    await run(provider);
    book.put({ ...book.contacts.get('people/03')!, display_name: 'Changed Three' });
    book.expireCursors();
    provider.calls.length = 0;
    const result = await run(provider);
    expect(result).toMatchObject({ mode: 'full', cursorExpired: true, completed: true, pages: 2 });
    expect(provider.calls.map((c) => c.mode)).toEqual(['incremental', 'full', 'full']);
    expect(result.summary).toMatchObject({ updated: 1, skipped: 4 });
    expect((await state()).syncCursor).toBe(book.cursor());
    // The new cursor works.
    provider.calls.length = 0;
    expect((await run(provider)).mode).toBe('incremental');
  });

  it('resumes a crashed sync from the last committed page without re-applying earlier pages', async () => {
    let failOnPage3 = true;
    const { book, provider } = setup(13, {
      onPage: (call) => {
        if (failOnPage3 && call.page === 3) throw new ProviderError('TEMPORARY', 'The source is down (503).');
      },
    });
    const error = await run(provider).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: 'TEMPORARY' });

    let s = await state();
    expect(s.checkpoint).toMatchObject({ mode: 'full', pageToken: '2:13:people/06' });
    expect(s.syncCursor).toBeNull();
    expect(s.lastError).toBe('The source is down (503).');
    expect(await t.db.select().from(contacts)).toHaveLength(6);
    const [kind] = await queryRows<{ kind: string }>(
      t.db,
      sql`select jsonb_typeof(checkpoint) as kind from ${sql.identifier(t.butlerSchema)}.contacts_sync_state`,
    );
    expect(kind?.kind).toBe('object');

    // Deleted at the source meanwhile, on a page the crashed cycle already applied.
    const cursorAtStart = book.cursor();
    book.remove('people/02');
    failOnPage3 = false;
    provider.calls.length = 0;
    const result = await run(provider);
    expect(result).toMatchObject({
      mode: 'full',
      resumed: true,
      completed: true,
      pages: 3,
      tombstonedUnseen: 0,
    });
    expect(provider.calls.map((c) => c.page)).toEqual([3, 4, 5]);
    expect(result.summary).toMatchObject({ fetched: 7, created: 7, skipped: 0 });
    expect(await t.db.select().from(contacts)).toHaveLength(13);
    expect(await activity('contact_synced')).toHaveLength(13);
    // A resumed full sync did not see pages 1-2, so it tombstones nothing.
    expect(await links()).not.toContain('people/02 (deleted)');
    s = await state();
    // The cursor is where the sync started, so the next incremental sync brings the removal.
    expect(s).toMatchObject({ checkpoint: null, lastError: null, syncCursor: cursorAtStart });
    expect((await run(provider)).summary).toMatchObject({ fetched: 1, deleted: 1 });
    expect(await links()).toContain('people/02 (deleted)');
  });

  it('tombstones, after a completed full sync, the links it did not see (prior-art #13)', async () => {
    const { book, provider } = setup(6);
    await run(provider);
    book.remove('people/02');
    book.remove('people/06');
    const result = await run(provider, { mode: 'full' });
    expect(result).toMatchObject({ mode: 'full', completed: true, tombstonedUnseen: 2 });
    expect(result.summary.deleted).toBe(2);
    expect(await links()).toEqual([
      'people/01',
      'people/02 (deleted)',
      'people/03',
      'people/04',
      'people/05',
      'people/06 (deleted)',
    ]);
    expect(await t.db.select().from(contacts)).toHaveLength(6);
    const logged = await activity('contact_sync_deleted_source');
    expect(logged.map((l) => JSON.parse(l.details).external_id).sort()).toEqual(['people/02', 'people/06']);
    expect((await state()).contactCount).toBe(4);
    // Another account's links are not touched.
    const other = memory(new MemoryAddressBook());
    await runSyncCycle({ db: t.db, butlerSchema: t.butlerSchema, provider: other, accountId: 'other' });
    expect((await state()).contactCount).toBe(4);
  });

  it('tombstones unseen links when a full sync that crashed midway is resumed and completes', async () => {
    let crash = false;
    const { book, provider } = setup(9, {
      onPage: (call) => {
        if (crash && call.page === 2) throw new ProviderError('TEMPORARY', 'killed');
      },
    });
    await run(provider);
    book.remove('people/08');
    crash = true;
    await expect(run(provider, { mode: 'full' })).rejects.toMatchObject({ code: 'TEMPORARY' });
    expect((await state()).checkpoint).toMatchObject({ mode: 'full', seenRecorded: true });
    crash = false;
    // Resumed at page 2: page 1 was seen before the crash, and its ids were kept with its commit.
    const result = await run(provider);
    expect(result).toMatchObject({ resumed: true, mode: 'full', completed: true, tombstonedUnseen: 1 });
    expect((await links()).filter((l) => l.endsWith('(deleted)'))).toEqual(['people/08 (deleted)']);
    const [left] = await queryRows<{ n: number }>(
      t.db,
      sql`select count(*)::int as n from ${sql.identifier(t.butlerSchema)}.contacts_sync_seen`,
    );
    expect(left?.n).toBe(0);
  });

  it('leaves the unseen-link check to the next full sync when a full sync resumes long after its crash', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const clock = { now: () => new Date(now) };
    let crash = false;
    const { book, provider } = setup(9, {
      onPage: (call) => {
        if (crash && call.page === 2) throw new ProviderError('TEMPORARY', 'killed');
      },
    });
    await run(provider, { clock });
    book.remove('people/08');
    crash = true;
    await expect(run(provider, { clock, mode: 'full' })).rejects.toMatchObject({ code: 'TEMPORARY' });
    crash = false;
    // Hours later the listing may have shifted under the saved page token: no tombstones.
    now += RESUMED_SWEEP_WINDOW_MS + 1;
    expect(await run(provider, { clock })).toMatchObject({
      resumed: true,
      completed: true,
      tombstonedUnseen: 0,
    });
    expect(await links()).not.toContain('people/08 (deleted)');
    // The next full sync from its first page does it.
    expect(await run(provider, { clock, mode: 'full' })).toMatchObject({ tombstonedUnseen: 1 });
    expect(await links()).toContain('people/08 (deleted)');
  });

  it('does not tombstone the old link of a renamed contact whose new payload fails', async () => {
    const { book, provider } = setup(4);
    await run(provider);
    const old = book.contacts.get('people/03')!;
    book.contacts.delete('people/03');
    book.putRaw('people/99', {
      ...old,
      external_id: 'people/99',
      previous_external_ids: ['people/03'],
      birthdays: [{ month: 13, day: 1 }],
      etag: 'v99',
    });
    const result = await run(provider, { mode: 'full' });
    expect(result).toMatchObject({ completed: true, tombstonedUnseen: 0 });
    expect(await links()).toEqual(['people/01', 'people/02', 'people/03', 'people/04']);
    expect((await failures()).map((f) => f.id)).toEqual(['people/99']);
  });

  it('commits the unseen-link sweep with the last page: when that page rolls back, so does the sweep', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const clock = { now: () => new Date(now) };
    let stealOnPage3 = false;
    let pageTwoCommitted!: () => void;
    const committed = new Promise<void>((resolve) => {
      pageTwoCommitted = resolve;
    });
    const other = new ContactsSyncStateStore({ db: t.db, butlerSchema: t.butlerSchema, clock });
    const { book, provider } = setup(9, {
      onPage: async (call) => {
        if (!stealOnPage3 || call.page !== 3) return;
        // The last page was prefetched: once page 2 has committed, the lease is lost.
        await committed;
        now += 2 * 60_000;
        await other.acquireLease('memory', 'default', 'someone-else', 60_000);
      },
    });
    await run(provider, { clock });
    const cursorBefore = (await state()).syncCursor;
    book.remove('people/05');
    stealOnPage3 = true;
    const error = await run(provider, {
      clock,
      lockTtlMs: 60_000,
      mode: 'full',
      onProgress: (p) => p.page === 2 && pageTwoCommitted(),
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SYNC_IN_PROGRESS' });
    // Not marked complete, and nothing tombstoned: the sweep was in the page that rolled back.
    expect(await links()).not.toContain('people/05 (deleted)');
    expect((await state()).syncCursor).toBe(cursorBefore);
    expect((await state()).checkpoint).toMatchObject({ mode: 'full', seenRecorded: true });
    await other.releaseLease('memory', 'default', 'someone-else');
    stealOnPage3 = false;
    const result = await run(provider, { clock });
    expect(result).toMatchObject({ resumed: true, completed: true, tombstonedUnseen: 1 });
    expect(await links()).toContain('people/05 (deleted)');
  });

  it('starts a listing over once when a page token dies mid-cycle, and reports a second refusal', async () => {
    let refusals = 0;
    const { book, provider } = setup(9, {
      onPage: (call) => {
        if (call.page === 3 && refusals > 0) {
          refusals -= 1;
          throw new ProviderError('PERMANENT', 'the page token is no longer accepted (400)');
        }
      },
    });
    refusals = 1;
    const first = await run(provider);
    expect(first).toMatchObject({ completed: true, mode: 'full', pages: 5 });
    expect(provider.calls.map((c) => c.page)).toEqual([1, 2, 3, 1, 2, 3]);
    expect(first.summary).toMatchObject({ fetched: 15, created: 9, skipped: 6, failed: 0 });
    expect((await state()).lastError).toBeNull();

    // Refused again after the restart: an error for the runtime's backoff, not a loop.
    book.expireCursors();
    provider.calls.length = 0;
    refusals = 2;
    await expect(run(provider, { mode: 'full' })).rejects.toMatchObject({ code: 'PERMANENT' });
    expect(provider.calls.map((c) => c.page)).toEqual([1, 2, 3, 1, 2, 3]);
  });

  it('stops after the current page when aborted, and the next cycle resumes', async () => {
    const { provider } = setup(9);
    const controller = new AbortController();
    const result = await run(provider, {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.page === 1) controller.abort();
      },
    });
    expect(result).toMatchObject({ completed: false, pages: 1 });
    // Page 2 was fetched while page 1 was written (prefetch), but never applied.
    expect(provider.calls).toHaveLength(2);
    expect(await t.db.select().from(contacts)).toHaveLength(3);
    expect((await state()).checkpoint).toMatchObject({ pageToken: '1:9:people/03' });
    expect((await state()).syncCursor).toBeNull();
    const next = await run(provider);
    expect(next).toMatchObject({ resumed: true, completed: true, pages: 2 });
    expect(await t.db.select().from(contacts)).toHaveLength(9);
  });

  it('refuses a second concurrent cycle of the same account with SYNC_IN_PROGRESS (prior-art #15)', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started!: () => void;
    const inFlight = new Promise<void>((resolve) => {
      started = resolve;
    });
    const { provider } = setup(4, {
      onPage: async (call) => {
        if (call.page === 1) {
          started();
          await gate;
        }
      },
    });
    const first = run(provider);
    await inFlight;
    const second = await run(memory(provider.book)).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(CoreError);
    expect(second).toMatchObject({ code: 'SYNC_IN_PROGRESS' });
    release();
    expect((await first).completed).toBe(true);
    // Released when done: the next cycle runs.
    expect((await run(memory(provider.book))).completed).toBe(true);
  });

  it('stops without committing a page when its lease expired and another sync took it', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const clock = { now: () => new Date(now) };
    let pageOneCommitted!: () => void;
    const committed = new Promise<void>((resolve) => {
      pageOneCommitted = resolve;
    });
    let stolen = false;
    const { provider } = setup(6, {
      onPage: async (call) => {
        if (call.page !== 2) return;
        // Page 2 was prefetched: once page 1 has committed, this cycle stalls past its lease
        // and another process takes the account.
        await committed;
        now += 11 * 60_000;
        const other = new ContactsSyncStateStore({ db: t.db, butlerSchema: t.butlerSchema, clock });
        stolen = await other.acquireLease('memory', 'default', 'someone-else', 10 * 60_000);
      },
    });
    const error = await run(provider, {
      clock,
      lockOwner: 'me',
      onProgress: (p) => {
        if (p.page === 1) pageOneCommitted();
      },
    }).catch((e: unknown) => e);
    expect(stolen).toBe(true);
    expect(error).toMatchObject({ code: 'SYNC_IN_PROGRESS' });
    // Page 1 committed under the lease; page 2 rolled back with the failed renewal; the lease
    // stays with the process that took it.
    expect(await t.db.select().from(contacts)).toHaveLength(3);
    const atNow = new ContactsSyncStateStore({ db: t.db, butlerSchema: t.butlerSchema, clock });
    expect(await atNow.leaseHolder('memory', 'default')).toBe('someone-else');
  });

  it('takes over at once the lease of a process of this machine that died mid-sync, and only that', async () => {
    const { provider } = setup(4);
    const alive = new Set([100, 200]);
    const me = { machine: 'box-1', pid: 100, isAlive: (pid: number) => alive.has(pid) };
    const holder = new ContactsSyncStateStore({ db: t.db, butlerSchema: t.butlerSchema });
    const hold = (owner: string) => holder.acquireLease('memory', 'default', owner, 10 * 60_000);
    const release = (owner: string) => holder.releaseLease('memory', 'default', owner);

    // A live process of this machine, a process of another machine, a host's own owner string:
    // all wait for the TTL.
    for (const owner of ['box-1#200#abc', 'box-2#300#abc', 'my-host-worker']) {
      expect(await hold(owner)).toBe(true);
      await expect(run(provider, { leaseIdentity: me })).rejects.toMatchObject({ code: 'SYNC_IN_PROGRESS' });
      await release(owner);
    }
    // A process of this machine that is gone (kill -9): taken over, and the sync runs.
    expect(await hold('box-1#300#abc')).toBe(true);
    const logger = {
      debug() {},
      info() {},
      error() {},
      warnings: [] as string[],
      warn(m: string) {
        this.warnings.push(m);
      },
    };
    expect(await run(provider, { leaseIdentity: me, logger })).toMatchObject({ completed: true });
    expect(logger.warnings).toContain('contacts_sync_lease_taken_over');
    expect(await store().leaseHolder('memory', 'default')).toBeNull();
  });

  it('hands identityLockCap to the engine: a page over it locks the whole identity space', async () => {
    const { provider } = setup(3);
    const infos: string[] = [];
    const logger = { debug() {}, warn() {}, error() {}, info: (m: string) => infos.push(m) };
    // Three contacts of one email and one name each: more than two keys.
    await run(provider, { identityLockCap: 2, logger });
    expect(infos).toContain('identity_lock_exclusive');
    infos.length = 0;
    // Three other people under the default cap: their keys, not the whole space.
    const book = new MemoryAddressBook();
    for (const p of people(3, 10)) book.put(p);
    expect((await run(memory(book), { logger, mode: 'full' })).summary.created).toBe(3);
    expect(infos).not.toContain('identity_lock_exclusive');
  });

  it('stores last_error through the redact option, so a quoted secret never reaches the database', async () => {
    const { provider } = setup(2, {
      onPage: () => {
        throw new ProviderError('AUTH_FAILED', 'refused refresh token 1//secret-token-value');
      },
    });
    const redact = (text: string) => text.replaceAll('1//secret-token-value', '[redacted]');
    await expect(run(provider, { redact })).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    expect((await state()).lastError).toBe('refused refresh token [redacted]');
  });

  it('tombstones unseen links when an interrupted incremental sync falls back to a full one from its first page', async () => {
    let crash = false;
    const { book, provider } = setup(9, {
      onPage: (call) => {
        if (crash && call.mode === 'incremental' && call.page === 2) {
          throw new ProviderError('TEMPORARY', 'network down');
        }
      },
    });
    await run(provider);
    for (const id of ['people/01', 'people/02', 'people/03', 'people/04']) book.edit(id, `Edited ${id}`);
    crash = true;
    await expect(run(provider)).rejects.toMatchObject({ code: 'TEMPORARY' });
    expect((await state()).checkpoint).toMatchObject({ mode: 'incremental' });
    crash = false;
    book.remove('people/06');
    book.expireCursors();
    const result = await run(provider);
    expect(result).toMatchObject({ cursorExpired: true, mode: 'full', completed: true, tombstonedUnseen: 1 });
    expect(await links()).toContain('people/06 (deleted)');
  });

  it('refuses an account id with a NUL by name, before the database sees it (issue 11)', async () => {
    const { provider } = setup(2);
    const error = await run(provider, { accountId: 'work\u0000' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CoreError);
    expect(error).toMatchObject({
      code: 'INVALID_CONFIG',
      message: /account id "work\\u0000" must not contain control characters/,
    });
    expect(await links()).toEqual([]);
  });

  it('records the last error and clears it on the next success', async () => {
    let fail = true;
    const { provider } = setup(2, {
      onPage: () => {
        if (fail) throw new ProviderError('AUTH_FAILED', 'Google refused the refresh token: re-authorise.');
      },
    });
    await expect(run(provider)).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    expect(await state()).toMatchObject({
      lastError: 'Google refused the refresh token: re-authorise.',
      lastErrorCode: 'AUTH_FAILED',
    });
    expect(await store().leaseHolder('memory', 'default')).toBeNull();
    fail = false;
    await run(provider);
    expect(await state()).toMatchObject({ lastError: null, lastErrorCode: null });
  });

  it('records malformed and refused contacts, and retries them in a later cycle with attempts counted', async () => {
    const { book, provider } = setup(4);
    book.putRaw('people/month13', { external_id: 'people/month13', birthdays: [{ month: 13, day: 1 }] });
    const huge = {
      external_id: 'people/huge',
      display_name: 'Huge',
      emails: [{ value: `${randomBytes(2500).toString('hex')}@x.org` }],
    };
    book.put(huge);
    // Several keys, in an order jsonb does not keep: the retry must find the same failure row.
    book.putRaw('noid', { display_name: 'No id', emails: [{ value: 'noid@x.org' }], deleted: false });

    const first = await run(provider);
    expect(first.summary).toMatchObject({ applied: 4, failed: 3 });
    let rows = await failures();
    expect(rows.map((r) => [r.id.replace(/^invalid:.*/, 'invalid'), Number(r.attempts)])).toEqual([
      ['invalid', 1],
      ['people/huge', 1],
      ['people/month13', 1],
    ]);
    expect((await state()).failedContacts).toBe(3);

    // The next cycle has no changes, and retries the three at its end.
    const second = await run(provider);
    expect(second.mode).toBe('incremental');
    expect(second.summary.failed).toBe(3);
    rows = await failures();
    expect(rows.map((r) => Number(r.attempts))).toEqual([2, 2, 2]);
    expect(rows.find((r) => r.id === 'people/huge')?.error).toMatch(/SQLSTATE 54000/);

    // Fixed at the source: applied, and its failure is gone.
    book.put({ ...huge, emails: [{ value: 'huge@x.org' }] });
    await run(provider);
    rows = await failures();
    expect(rows.map((r) => r.id)).not.toContain('people/huge');
    expect((await state()).failedContacts).toBe(2);
  });

  it('forgets, after a completed full sync, failed contacts the source no longer has', async () => {
    const { book, provider } = setup(2);
    book.putRaw('people/month13', { external_id: 'people/month13', birthdays: [{ month: 13, day: 1 }] });
    book.putRaw('noid', { display_name: 'No id' });
    await run(provider);
    expect(await failures()).toHaveLength(2);
    book.remove('people/month13');
    book.remove('noid');
    const result = await run(provider, { mode: 'full' });
    expect(result.summary.failed).toBe(0);
    expect(await failures()).toEqual([]);
    expect(await t.db.select().from(contacts)).toHaveLength(2);
  });

  it('does not tombstone a contact that is still at the source but has turned malformed', async () => {
    const { book, provider } = setup(3);
    await run(provider);
    book.putRaw('people/02', { external_id: 'people/02', birthdays: [{ month: 13, day: 1 }] });
    const result = await run(provider, { mode: 'full' });
    expect(result.tombstonedUnseen).toBe(0);
    expect(await links()).toEqual(['people/01', 'people/02', 'people/03']);
    expect((await failures()).map((r) => r.id)).toEqual(['people/02']);
  });
});
