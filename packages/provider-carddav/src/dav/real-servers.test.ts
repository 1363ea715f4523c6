import { afterAll, beforeAll, expect, it } from 'vitest';
import { type DavServerName, describeOnDavServer } from '../test-support/describe-dav-server.js';
import { startRadicale } from '../test-support/radicale.js';
import { vcard } from '../test-support/scripted-fixtures.js';
import { startXandikos } from '../test-support/xandikos.js';
import { bookUnchanged, readAddressBookState, usesSyncCollection } from './book-state.js';
import { deleteCard, putCard } from './card-writes.js';
import { DavTransport } from './dav-transport.js';
import { discoverAddressBooks } from './discovery.js';
import { sameEtag } from './etag.js';
import { listMemberEtags, planListing } from './etag-listing.js';
import { normalizeHref } from './href.js';
import { fetchCards } from './multiget.js';
import { type SyncCollectionPage, syncCollectionPage, syncCollectionPages } from './sync-collection.js';

interface RealServer {
  rootUrl: string;
  bookUrl: string;
  transport: DavTransport;
  stop(): Promise<void>;
}

const START: Record<DavServerName, () => Promise<RealServer>> = {
  radicale: async () => {
    const radicale = await startRadicale();
    const bookUrl = await radicale.createBook('contacts');
    const transport = new DavTransport({ site: radicale.url, credentials: radicale.credentials });
    return { rootUrl: radicale.url, bookUrl, transport, stop: () => radicale.stop() };
  },
  xandikos: async () => {
    const xandikos = await startXandikos();
    const transport = new DavTransport({ site: xandikos.url, credentials: xandikos.credentials });
    return { rootUrl: xandikos.url, bookUrl: xandikos.bookUrl, transport, stop: () => xandikos.stop() };
  },
};

async function syncAll(transport: DavTransport, bookUrl: string, token: string) {
  const pages: SyncCollectionPage[] = [];
  for await (const outcome of syncCollectionPages(transport, bookUrl, token)) {
    if (outcome.kind !== 'page') throw new Error(`token refused: ${outcome.reason}`);
    pages.push(outcome);
  }
  const base = new URL(bookUrl);
  const key = (href: string) => normalizeHref(href, base);
  return {
    changed: pages.flatMap((p) => p.changed.map((m) => key(m.href))).sort(),
    removed: pages.flatMap((p) => p.removed.map(key)).sort(),
    etags: new Map(pages.flatMap((p) => p.changed.map((m) => [key(m.href), m.etag] as const))),
    token: pages.at(-1)?.syncToken ?? '',
  };
}

for (const name of ['radicale', 'xandikos'] as const) {
  describeOnDavServer(name, 'DAV client conformance', () => {
    let server: RealServer;
    const cardUrl = (n: number) => new URL(`card-${n}.vcf`, server.bookUrl).href;
    const key = (n: number) => normalizeHref(cardUrl(n), new URL(server.bookUrl));

    beforeAll(async () => {
      server = await START[name]();
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('discovers the address book from the server root and from its own URL', async () => {
      const fromRoot = await discoverAddressBooks(server.transport, server.rootUrl);
      expect(fromRoot.map((b) => b.url)).toContain(server.bookUrl);
      const fromBook = await discoverAddressBooks(server.transport, server.bookUrl);
      expect(fromBook.map((b) => b.url)).toEqual([server.bookUrl]);
    });

    it('syncs by token: created cards, then a quiet poll, then a change and a delete', async () => {
      const { transport, bookUrl } = server;
      for (const n of [1, 2, 3])
        await putCard(transport, cardUrl(n), vcard(`uid-${n}`, `Person ${n}`), { ifNoneMatch: '*' });
      const state = await readAddressBookState(transport, bookUrl);
      expect(usesSyncCollection(state)).toBe(true);
      expect(state.syncToken).not.toBeNull();

      const initial = await syncAll(transport, bookUrl, '');
      expect(initial.changed).toEqual([key(1), key(2), key(3)]);

      // A quiet poll: one Depth 0 PROPFIND says nothing changed.
      transport.requests = 0;
      const quiet = await readAddressBookState(transport, bookUrl);
      expect(transport.requests).toBe(1);
      expect(bookUnchanged(state, quiet)).toBe(true);
      const none = await syncAll(transport, bookUrl, initial.token);
      expect([none.changed, none.removed]).toEqual([[], []]);

      await putCard(transport, cardUrl(2), vcard('uid-2', 'Person Two'), {});
      await deleteCard(transport, cardUrl(3));
      expect(bookUnchanged(quiet, await readAddressBookState(transport, bookUrl))).toBe(false);
      const next = await syncAll(transport, bookUrl, initial.token);
      expect(next.changed).toEqual([key(2)]);
      expect(next.removed).toEqual([key(3)]);
      expect(sameEtag(next.etags.get(key(2)), initial.etags.get(key(2)))).toBe(false);

      // A full sync after a refused token lists each live card once; Radicale also reports the
      // deleted card (a 404) on an empty-token sync: a removal of an href never seen.
      const full = await syncAll(transport, bookUrl, '');
      expect(full.changed).toEqual([key(1), key(2)]);
      expect(full.removed).toEqual(name === 'radicale' ? [key(3)] : []);
    });

    it('fetches the cards the server stores by multiget, with the ETags of the listing', async () => {
      const { transport, bookUrl } = server;
      const listing = await listMemberEtags(transport, bookUrl);
      const hrefs = listing.members.map((m) => m.href);
      expect(hrefs.map((h) => normalizeHref(h, new URL(bookUrl))).sort()).toEqual([key(1), key(2)]);
      const result = await fetchCards(transport, bookUrl, hrefs, { batchSize: 1, concurrency: 2 });
      expect(result.failures).toEqual([]);
      expect(result.cards).toHaveLength(2);
      for (const card of result.cards) {
        const listed = listing.members.find((m) => m.href === card.href);
        expect(sameEtag(card.etag, listed?.etag)).toBe(true);
        expect(card.data).toMatch(/^BEGIN:VCARD\r?\n/);
      }
      expect(result.cards.find((c) => c.href.endsWith('card-2.vcf'))?.data).toContain('Person Two');
      // Held pairs equal to the listing: nothing to fetch, nothing deleted.
      const held = new Map(listing.members.map((m) => [m.href, m.etag]));
      expect(planListing(held, listing.members, new URL(listing.url))).toMatchObject({
        fetch: [],
        deleted: [],
      });
    });

    it('reports a garbage token as token-invalid (a full sync follows)', async () => {
      const bogus =
        name === 'radicale' ? 'http://radicale.org/ns/sync/0000' : '0000000000000000000000000000000000000000';
      const outcome = await syncCollectionPage(server.transport, server.bookUrl, bogus);
      expect(outcome).toMatchObject({
        kind: 'token-invalid',
        reason: 'invalid-token',
        status: name === 'radicale' ? 403 : 500,
      });
    });
  });
}
