import { afterEach, describe, expect, it } from 'vitest';
import { vcard } from '../test-support/scripted-fixtures.js';
import {
  type ScriptedQuirks,
  type ScriptedServer,
  startScriptedServer,
} from '../test-support/scripted-server.js';
import { DavTransport } from './dav-transport.js';
import { fetchCards } from './multiget.js';

const credentials = { username: 'ada', password: 'pw' };
let server: ScriptedServer;
afterEach(async () => server?.close());

async function setup(quirks: ScriptedQuirks, count: number) {
  server = await startScriptedServer({ credentials, quirks });
  for (let n = 1; n <= count; n += 1) server.book.put(`${n}.vcf`, vcard(String(n), `Person ${n}`));
  return new DavTransport({ site: server.url, credentials });
}
const hrefs = (count: number) => Array.from({ length: count }, (_, i) => `/dav/home/book/${i + 1}.vcf`);
const requests = (method: string) => server.log.filter((r) => r.method === method).length;

describe('fetchCards', () => {
  it('fetches in bounded batches, each card with its ETag and the bytes the server stores', async () => {
    const transport = await setup({}, 25);
    const result = await fetchCards(transport, server.bookUrl, hrefs(25), { batchSize: 10, concurrency: 2 });
    expect(result.failures).toEqual([]);
    expect(result.cards).toHaveLength(25);
    expect(requests('REPORT')).toBe(3);
    const card = result.cards.find((c) => c.href === '/dav/home/book/7.vcf');
    expect(card).toEqual({ href: '/dav/home/book/7.vcf', etag: '"v7"', data: vcard('7', 'Person 7') });
  });

  it('never has more multigets in flight than asked', async () => {
    await setup({}, 40);
    let inFlight = 0;
    let most = 0;
    const counting = new DavTransport({
      site: server.url,
      credentials,
      fetch: async (input, init) => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        try {
          return await fetch(input, init);
        } finally {
          inFlight -= 1;
        }
      },
    });
    await fetchCards(counting, server.bookUrl, hrefs(40), { batchSize: 5, concurrency: 3 });
    expect(most).toBeLessThanOrEqual(3);
    expect(most).toBeGreaterThan(1);
    expect(counting.requests).toBe(8);
  });

  it('fetches an href the multiget leaves out alone with GET (vdirsyncer#1212)', async () => {
    const transport = await setup({ multigetOmit: ['2.vcf'] }, 3);
    const result = await fetchCards(transport, server.bookUrl, hrefs(3));
    expect(result.cards.map((c) => c.href).sort()).toEqual(hrefs(3));
    expect(server.log.filter((r) => r.method === 'GET').map((r) => r.path)).toEqual(['/dav/home/book/2.vcf']);
  });

  it('asks again for what a capped answer cut off, then GETs only what never comes', async () => {
    const transport = await setup({ multigetCap: 4 }, 10);
    const result = await fetchCards(transport, server.bookUrl, hrefs(10), { batchSize: 10 });
    expect(result.cards).toHaveLength(10);
    // 10 → 4 answered, 6 → 4, 2 → 2: three multigets and no GET.
    expect(requests('REPORT')).toBe(3);
    expect(requests('GET')).toBe(0);
  });

  it('records a card that neither multiget nor GET can fetch as a failure, and a removed one as gone', async () => {
    const transport = await setup({ multigetOmit: ['2.vcf'], getFails: ['2.vcf'] }, 3);
    const result = await fetchCards(transport, server.bookUrl, [...hrefs(3), '/dav/home/book/99.vcf']);
    expect(result.cards.map((c) => c.href).sort()).toEqual(['/dav/home/book/1.vcf', '/dav/home/book/3.vcf']);
    expect(result.gone).toEqual(['/dav/home/book/99.vcf']);
    expect(result.failures).toEqual([
      { href: '/dav/home/book/2.vcf', message: expect.stringMatching(/HTTP 500/) },
    ]);
  });

  it('keeps unquoted ETags as the server sends them', async () => {
    const transport = await setup({ unquotedEtags: true }, 1);
    const result = await fetchCards(transport, server.bookUrl, hrefs(1));
    expect(result.cards[0]?.etag).toBe('v1');
  });

  it('matches hrefs the server spells differently (%40 for @)', async () => {
    const transport = await setup({}, 0);
    server.book.put('a@b.vcf', vcard('x', 'At Sign'));
    const result = await fetchCards(transport, server.bookUrl, ['/dav/home/book/a%40b.vcf']);
    expect(result.cards.map((c) => c.href)).toEqual(['/dav/home/book/a%40b.vcf']);
    expect(result.failures).toEqual([]);
  });
});
