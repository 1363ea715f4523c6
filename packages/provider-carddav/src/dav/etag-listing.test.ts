import { afterEach, describe, expect, it } from 'vitest';
import { vcard } from '../test-support/scripted-fixtures.js';
import { type ScriptedServer, startScriptedServer } from '../test-support/scripted-server.js';
import { bookUnchanged, readAddressBookState, usesSyncCollection } from './book-state.js';
import { putCard } from './card-writes.js';
import { DavTransport } from './dav-transport.js';
import { listMemberEtags, planListing } from './etag-listing.js';
import { fetchCards } from './multiget.js';

const credentials = { username: 'ada', password: 'pw' };
let server: ScriptedServer;
afterEach(async () => server?.close());

describe('a server without sync-collection', () => {
  it('is listed by ETag: unchanged cards are not fetched, hrefs no longer listed are deletions', async () => {
    server = await startScriptedServer({
      credentials,
      quirks: { noSyncCollection: true, unquotedEtags: true },
    });
    const transport = new DavTransport({ site: server.url, credentials });
    for (const n of [1, 2, 3]) server.book.put(`${n}.vcf`, vcard(String(n), `P${n}`));
    const state = await readAddressBookState(transport, server.bookUrl);
    expect(usesSyncCollection(state)).toBe(false);
    expect(state.syncToken).toBeNull();

    const first = await listMemberEtags(transport, server.bookUrl);
    const base = new URL(first.url);
    // Held as a store would hold them, quoted (the server sends them bare).
    const held = new Map(first.members.map((m) => [m.href, `"${m.etag}"`]));
    server.book.put('2.vcf', vcard('2', 'P2 changed'));
    server.book.delete('3.vcf');
    server.book.put('4.vcf', vcard('4', 'P4'));
    const plan = planListing(held, (await listMemberEtags(transport, server.bookUrl)).members, base);
    expect(plan.unchanged.map((m) => m.href)).toEqual(['/dav/home/book/1.vcf']);
    expect(plan.fetch.map((m) => m.href)).toEqual(['/dav/home/book/2.vcf', '/dav/home/book/4.vcf']);
    expect(plan.deleted).toEqual(['/dav/home/book/3.vcf']);
  });
});

describe('book state', () => {
  it('answers a quiet poll with one request, ctag text kept (00042 is not 42)', async () => {
    server = await startScriptedServer({ credentials });
    const transport = new DavTransport({ site: server.url, credentials });
    for (let n = 1; n <= 42; n += 1) server.book.put(`${n}.vcf`, vcard(String(n), `P${n}`));
    const before = await readAddressBookState(transport, server.bookUrl);
    expect(before).toMatchObject({
      ctag: '00042',
      supportsSyncCollection: true,
      supportsMultiget: true,
      displayName: 'Scripted',
    });
    transport.requests = 0;
    const after = await readAddressBookState(transport, server.bookUrl);
    expect(transport.requests).toBe(1);
    expect(bookUnchanged(before, after)).toBe(true);
    server.book.put('1.vcf', vcard('1', 'changed'));
    expect(bookUnchanged(before, await readAddressBookState(transport, server.bookUrl))).toBe(false);
  });

  it('reads back the bytes a rewriting server stores, not the ones PUT', async () => {
    server = await startScriptedServer({
      credentials,
      quirks: { rewrite: (data) => data.replace('FN:Ada King, Countess', 'FN:Ada King') },
    });
    const transport = new DavTransport({ site: server.url, credentials });
    const sent = vcard('1', 'Ada King, Countess');
    const put = await putCard(transport, new URL('1.vcf', server.bookUrl), sent, { ifNoneMatch: '*' });
    expect(put).toEqual({ status: 201, etag: null });
    const { cards } = await fetchCards(transport, server.bookUrl, ['/dav/home/book/1.vcf']);
    expect(cards[0]?.data).toContain('FN:Ada King\r\n');
    expect(cards[0]?.data).not.toBe(sent);
  });
});
