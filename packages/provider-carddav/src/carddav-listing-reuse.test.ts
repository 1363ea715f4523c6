import { CanonicalContact, type ContactBatch } from '@contacts/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CardDavContactsProvider } from './carddav-contacts-provider.js';
import { vcard } from './test-support/scripted-fixtures.js';
import { type ScriptedServer, startScriptedServer } from './test-support/scripted-server.js';

const CREDENTIALS = { username: 'ada', password: 'secret-pw' };
const CARDS = 25;
const PAGE = 5;
const ids = (batch: ContactBatch) => batch.contacts.map((c) => CanonicalContact.parse(c).external_id);

/** Requests the server received since `from`, by kind. */
function counts(server: ScriptedServer, from: number) {
  const log = server.log.slice(from);
  return {
    syncCollections: log.filter((r) => r.report === 'sync-collection').length,
    bookStates: log.filter((r) => r.method === 'PROPFIND' && r.path.endsWith('/book/') && r.depth === '0')
      .length,
    depth1: log.filter((r) => r.method === 'PROPFIND' && r.path.endsWith('/book/') && r.depth === '1').length,
  };
}

describe('CardDAV listing across pages (one sync-collection per listing, not one per page)', () => {
  let server: ScriptedServer;
  beforeEach(async () => {
    server = await startScriptedServer({ credentials: CREDENTIALS });
    for (let n = 1; n <= CARDS; n += 1) {
      const name = String(n).padStart(2, '0');
      server.book.put(`${name}.vcf`, vcard(`uid-${name}`, `Person ${name}`));
    }
  });
  afterEach(() => server.close());

  it('a full sync of 25 cards in pages of 5 sends the sync-collection once and reads the book state once', async () => {
    const provider = new CardDavContactsProvider({ url: server.url, ...CREDENTIALS, pageSize: PAGE });
    await provider.listGroups();
    const from = server.log.length;
    const served: string[] = [];
    let pages = 0;
    let token: string | null | undefined;
    do {
      const page = await provider.fullSync({ pageToken: token });
      served.push(...ids(page));
      token = page.next_page_token;
      pages += 1;
    } while (token);
    expect(pages).toBe(CARDS / PAGE);
    expect(served).toHaveLength(CARDS);
    expect(new Set(served).size).toBe(CARDS);
    // Before the fix: 5 sync-collections (one per page) and a Depth 0 PROPFIND per page. Now the
    // first page reads the state (listGroups reads none) and the later pages continue its listing.
    expect(counts(server, from)).toEqual({ syncCollections: 1, bookStates: 1, depth1: 1 });
  });

  it('a new provider resuming from a mid-listing page token lists once more and serves the rest, no duplicate, no gap', async () => {
    const first = new CardDavContactsProvider({ url: server.url, ...CREDENTIALS, pageSize: PAGE });
    await first.listGroups();
    const served: string[] = [];
    let page = await first.fullSync({});
    served.push(...ids(page));
    page = await first.fullSync({ pageToken: page.next_page_token });
    served.push(...ids(page));
    expect(served).toHaveLength(2 * PAGE);
    // The process ends here; a new one resumes from the checkpointed page token.
    const second = new CardDavContactsProvider({ url: server.url, ...CREDENTIALS, pageSize: PAGE });
    await second.listGroups();
    const from = server.log.length;
    let token = page.next_page_token;
    let cursor: string | null = null;
    while (token) {
      const next = await second.fullSync({ pageToken: token });
      served.push(...ids(next));
      token = next.next_page_token;
      cursor = next.next_sync_cursor ?? cursor;
    }
    expect(served).toEqual(
      Array.from({ length: CARDS }, (_, i) => `/dav/home/book/${String(i + 1).padStart(2, '0')}.vcf`),
    );
    expect(counts(server, from).syncCollections).toBe(1);
    // The listing is complete and dropped: the next sync starts from the cursor it ended at.
    const quiet = await second.incrementalSync({ cursor: cursor! });
    expect(quiet.contacts).toEqual([]);
  });
  it('a page token of a full sync continues its held listing even when passed with a cursor', async () => {
    const provider = new CardDavContactsProvider({ url: server.url, ...CREDENTIALS, pageSize: PAGE });
    const page = await provider.fullSync({});
    expect(ids(page)).toHaveLength(PAGE);
    const from = server.log.length;
    // The token says the sync is a full one (no base cursor); the cursor beside it changes nothing.
    const next = await provider.incrementalSync({
      cursor: JSON.stringify({ v: 1, books: {} }),
      pageToken: page.next_page_token,
    });
    expect(ids(next)).toEqual(
      Array.from({ length: PAGE }, (_, i) => `/dav/home/book/${String(PAGE + i + 1).padStart(2, '0')}.vcf`),
    );
    // Before the fix the page was taken as incremental: the held listing did not match and the
    // book was listed again.
    expect(counts(server, from).syncCollections).toBe(0);
  });

  it('a sync that starts without a page token drops the listing an abandoned sync held', async () => {
    const provider = new CardDavContactsProvider({ url: server.url, ...CREDENTIALS, pageSize: PAGE });
    let cursor: string | null = null;
    let token: string | null | undefined;
    do {
      const page = await provider.fullSync({ pageToken: token });
      token = page.next_page_token;
      cursor = page.next_sync_cursor ?? cursor;
    } while (token);
    expect(provider.heldListings).toBe(0);
    // A full sync abandoned after its first page (the engine started over, or stopped) ...
    await provider.fullSync({});
    expect(provider.heldListings).toBe(1);
    // ... and the next sync, a quiet poll, never reaches the book: the listing went with it.
    const quiet = await provider.incrementalSync({ cursor: cursor! });
    expect(quiet.contacts).toEqual([]);
    expect(provider.heldListings).toBe(0);
  });

  it('a truncating server (507 every 10 members) is asked once per answer: 3 sync-collections for 25 cards', async () => {
    server.quirks.syncPageSize = 10;
    const provider = new CardDavContactsProvider({ url: server.url, ...CREDENTIALS, pageSize: PAGE });
    await provider.listGroups();
    const from = server.log.length;
    const served: string[] = [];
    let token: string | null | undefined;
    do {
      const page = await provider.fullSync({ pageToken: token });
      served.push(...ids(page));
      token = page.next_page_token;
    } while (token);
    expect(new Set(served).size).toBe(CARDS);
    expect(served).toHaveLength(CARDS);
    expect(counts(server, from).syncCollections).toBe(3);
  });
});
