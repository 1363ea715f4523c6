import { ContactsSyncStateStore, ProviderError, runSyncCycle, type SyncCycleOptions } from '@contacts/core';
import type { GoogleEmulator } from '@contacts/google-emulator';
import { type ContactsDatabase, quoteIdent } from '@contacts/schema';
import { describeDatabase } from '@contacts/schema/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GOOGLE_GROUP_LISTING_LIMITS, type GoogleContactsProvider } from './google-contacts-provider.js';
import { startEmulator, testProvider } from './test-support.js';

// Issue 11, defects 2 and 3, as a hostile Google answers them, through the real client over HTTP:
// a repeated nextPageToken made 8,201 requests in 90 s, A, B, A the same, a repeated groups token
// 261,454 requests in 240 s, endless fresh pages 130,000 contacts in 60 s; a full listing with
// nobody and a valid sync token marked 500 of 500 links deleted.

async function count(db: ContactsDatabase, text: string): Promise<number> {
  const result: unknown = await db.execute(text);
  const rows = (Array.isArray(result) ? result : ((result as { rows?: unknown[] }).rows ?? [])) as {
    n: number | string;
  }[];
  return Number(rows[0]?.n ?? 0);
}

describe('the Google provider bounds its own listings', () => {
  let emulator: GoogleEmulator;
  beforeEach(async () => {
    emulator = await startEmulator({ people: 0, otherContacts: 0 });
    // Two pages of groups (pages of 1,000): the second request carries a page token.
    for (let i = 0; i < 1000; i += 1) emulator.admin.addGroup(`Group ${i}`);
  });
  afterEach(() => emulator.close());

  it('stops a contact groups listing that repeats its page token (A, A), at the second request', async () => {
    emulator.admin.injectFault({ kind: 'repeatPageToken', endpoint: 'contactGroups', times: 1000 });
    const { provider } = testProvider(emulator);
    const error = await provider.listGroups().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: 'TEMPORARY', provider: 'google' });
    expect((error as Error).message).toBe(
      'The google server repeated the page token of page 1 at page 2 of its contact groups listing: a listing that loops never ends, so it was stopped (the next sync tries again).',
    );
    expect(emulator.admin.requestCount('contactGroups')).toBe(2);
  });

  it('stops a contact groups listing that cycles (A, B, A)', async () => {
    for (let i = 0; i < 1000; i += 1) emulator.admin.addGroup(`More ${i}`);
    emulator.admin.injectFault({
      kind: 'cyclePageToken',
      endpoint: 'contactGroups',
      when: 'withPageToken',
      after: 1,
    });
    const error = await testProvider(emulator)
      .provider.listGroups()
      .catch((e: unknown) => e);
    expect((error as Error).message).toContain(
      'page token of page 1 at page 3 of its contact groups listing',
    );
    expect(emulator.admin.requestCount('contactGroups')).toBe(3);
  });

  it('stops endless fresh group pages at its bound', async () => {
    emulator.admin.injectFault({ kind: 'endlessPages', endpoint: 'contactGroups', times: 1000 });
    const error = await testProvider(emulator)
      .provider.listGroups()
      .catch((e: unknown) => e);
    expect((error as Error).message).toContain(`within ${GOOGLE_GROUP_LISTING_LIMITS.maxPages} pages`);
    expect(emulator.admin.requestCount('contactGroups')).toBe(GOOGLE_GROUP_LISTING_LIMITS.maxPages + 1);
  });

  it('declares 25,000 contacts per stream, in pages of at least 100 on average', () => {
    expect(testProvider(emulator, { pageSize: 1000 }).provider.listingLimits()).toEqual({
      maxItems: 25_000,
      maxPages: 252,
    });
    expect(testProvider(emulator, { includeOtherContacts: true }).provider.listingLimits()).toEqual({
      maxItems: 50_000,
      maxPages: 503,
    });
    expect(testProvider(emulator, { pageSize: 10 }).provider.listingLimits().maxPages).toBe(2502);
  });
});

describeDatabase('a sync cycle against a Google that pages wrong', (t) => {
  let emulator: GoogleEmulator;
  let provider: GoogleContactsProvider;
  const s = () => quoteIdent(t.butlerSchema);
  const sync = (options: Partial<SyncCycleOptions> = {}) =>
    runSyncCycle({ db: t.db, butlerSchema: t.butlerSchema, provider, accountId: 'default', ...options });
  const fail = (options: Partial<SyncCycleOptions> = {}) =>
    sync(options).then(
      () => {
        throw new Error('expected the sync to be stopped');
      },
      (error: unknown) => error as ProviderError,
    );
  const state = () =>
    new ContactsSyncStateStore({ db: t.db, butlerSchema: t.butlerSchema }).load('google', 'default');
  const people = () => count(t.db, 'select count(*) as n from shared.contacts');

  beforeEach(async () => {
    emulator = await startEmulator({ people: 30, otherContacts: 0 });
    provider = testProvider(emulator, { pageSize: 10 }).provider;
  });
  afterEach(async () => {
    await provider.close();
    await emulator.close();
  });

  it('stops at a repeated nextPageToken after two requests, with one seen row', async () => {
    emulator.admin.injectFault({ kind: 'repeatPageToken', endpoint: 'connections', times: 10_000 });
    const error = await fail();
    expect(error).toMatchObject({ code: 'TEMPORARY', provider: 'google' });
    expect(error.message).toBe(
      'The google server repeated the page token of page 1 at page 2 of its full contacts listing: a listing that loops never ends, so it was stopped (the next sync tries again).',
    );
    expect(emulator.admin.requestCount('connections')).toBe(2);
    expect(await count(t.db, `select count(*) as n from ${s()}.contacts_sync_seen`)).toBe(1);
    expect(await people()).toBe(10);
    expect((await state()).lastError).toBe(error.message);
  });

  it('stops a listing that cycles A, B, A', async () => {
    emulator.admin.injectFault({
      kind: 'cyclePageToken',
      endpoint: 'connections',
      when: 'withPageToken',
      after: 1,
    });
    expect((await fail()).message).toContain(
      'repeated the page token of page 1 at page 3 of its full contacts listing',
    );
    expect(emulator.admin.requestCount('connections')).toBe(3);
    expect(await people()).toBe(20);
  });

  it('stops endless fresh pages at the bound, before writing past it', async () => {
    emulator.admin.injectFault({ kind: 'endlessPages', endpoint: 'connections', times: 10_000 });
    const error = await fail({ listingLimits: { maxItems: 45 } });
    expect(error.message).toContain(
      'sent more contacts in its full contacts listing than any account there holds (50 by page 5, at most 45)',
    );
    expect(emulator.admin.requestCount('connections')).toBe(5);
    expect(await people()).toBe(40);
  });

  it('holds the deletions of a full listing that answers nobody with a valid sync token', async () => {
    await sync();
    emulator.admin.injectFault({ kind: 'emptyListing', endpoint: 'connections' });
    const held = await sync({ mode: 'full' });
    expect(held).toMatchObject({ completed: true, tombstonedUnseen: 0 });
    expect(held.deletionHold).toMatchObject({ mode: 'full', count: 30, of: 30 });
    expect(held.summary.deleted).toBe(0);
    expect(
      await count(
        t.db,
        `select count(*) as n from ${s()}.contacts_source_links where deleted_at is not null`,
      ),
    ).toBe(0);
    expect(
      await count(
        t.db,
        `select count(*) as n from ${s()}.activity_feed where type = 'contact_sync_deleted_source'`,
      ),
    ).toBe(0);
    expect(await state()).toMatchObject({ contactCount: 30, lastError: null });
    // The sync token it handed out works: the next incremental sync brings a change made since.
    emulator.admin.updatePerson(emulator.admin.people()[0]!.resourceName, {
      nicknames: [{ value: 'Later' }],
    });
    const next = await sync();
    expect(next).toMatchObject({ mode: 'incremental', completed: true });
    expect(next.summary.updated).toBe(1);
    expect(next.deletionHold).toMatchObject({ count: 30 });
    // Google answers in full again: the next full listing sees everyone and the hold is gone.
    expect((await sync({ mode: 'full' })).deletionHold).toBeNull();
    expect((await state()).deletionHold).toBeNull();
  });
});
