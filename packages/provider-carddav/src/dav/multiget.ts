import { ProviderError } from '@contacts/core';
import { describeUrl, statusError } from './dav-errors.js';
import type { DavTransport } from './dav-transport.js';
import { normalizeHref, resolveHref } from './href.js';
import { type DavResponse, findProp, parseMultistatus } from './multistatus.js';
import { NS } from './namespaces.js';
import { runBounded } from './pool.js';
import { multigetBody } from './request-bodies.js';

/**
 * A card as the server stores it: its href, ETag (as sent) and vCard text. The server's copy is
 * the truth (servers rewrite what they are given), so this is what a sync keeps.
 *
 * @example
 * ```ts
 * const card: FetchedCard = { href: '/ada/contacts/1.vcf', etag: '"v1"', data: 'BEGIN:VCARD\r\n...' };
 * ```
 */
export interface FetchedCard {
  href: string;
  etag: string | null;
  data: string;
}

/**
 * A card that could not be fetched, with a sentence saying why (no secret in it).
 *
 * @example
 * ```ts
 * const failure: CardFetchFailure = { href: '/ada/contacts/9.vcf', message: 'GET answered HTTP 500.' };
 * ```
 */
export interface CardFetchFailure {
  href: string;
  message: string;
}

/**
 * What {@link fetchCards} got.
 *
 * @example
 * ```ts
 * const { cards, gone, failures } = await fetchCards(transport, bookUrl, hrefs);
 * ```
 */
export interface FetchCardsResult {
  cards: FetchedCard[];
  /** Hrefs the server says no longer exist (404/410): deleted since they were listed. */
  gone: string[];
  failures: CardFetchFailure[];
}

/**
 * Options of {@link fetchCards}.
 *
 * @example
 * ```ts
 * const options: FetchCardsOptions = { batchSize: 10, concurrency: 4 };
 * ```
 */
export interface FetchCardsOptions {
  /** Hrefs per multiget (default 50: under Zoho's 100 and far under CalendarServer's 5,000). */
  batchSize?: number;
  /** Multigets in flight at once (default 3). */
  concurrency?: number;
}

// A multiget the book refuses outright: fetch its cards one by one instead.
const NO_MULTIGET = new Set([400, 403, 405, 415, 501]);

type Outcome = { kind: 'card'; card: FetchedCard } | { kind: 'gone' } | { kind: 'failure'; message: string };

function readResponse(response: DavResponse): Outcome {
  const status = response.status;
  if (status === 404 || status === 410) return { kind: 'gone' };
  const data = findProp(response, NS.carddav, 'address-data');
  if (data !== undefined && (status === null || (status >= 200 && status <= 299))) {
    const etag = findProp(response, NS.dav, 'getetag')?.text.trim() || null;
    return { kind: 'card', card: { href: response.href, etag, data: data.text } };
  }
  const propStatus = response.propstats.find((p) => p.status >= 300)?.status;
  if (status === null && propStatus === 404) return { kind: 'gone' };
  return {
    kind: 'failure',
    message: `The multiget answered HTTP ${status ?? propStatus ?? 'without data'} for this card.`,
  };
}

async function getAlone(transport: DavTransport, base: URL, href: string): Promise<Outcome> {
  const url = resolveHref(href, base);
  try {
    const exchange = await transport.request({ method: 'GET', url, headers: { accept: 'text/vcard' } });
    if (exchange.status === 404 || exchange.status === 410) return { kind: 'gone' };
    if (exchange.status !== 200) {
      return { kind: 'failure', message: statusError(exchange, 'GET', transport.now()).message };
    }
    return { kind: 'card', card: { href, etag: exchange.headers.get('etag'), data: exchange.body } };
  } catch (error) {
    // A card that cannot be fetched fails alone; a refused password fails the whole sync.
    if (error instanceof ProviderError && error.code === 'AUTH_FAILED') throw error;
    return { kind: 'failure', message: error instanceof Error ? error.message : String(error) };
  }
}

async function multiget(
  transport: DavTransport,
  bookUrl: URL,
  hrefs: readonly string[],
): Promise<{ base: URL; responses: DavResponse[] } | 'refused'> {
  const exchange = await transport.request({
    method: 'REPORT',
    url: bookUrl,
    depth: '0',
    body: multigetBody(hrefs),
  });
  if (exchange.status === 207)
    return { base: exchange.url, responses: parseMultistatus(exchange.body).responses };
  if (NO_MULTIGET.has(exchange.status)) return 'refused';
  throw statusError(exchange, 'REPORT addressbook-multiget', transport.now());
}

/**
 * Downloads cards by addressbook-multiget, in batches of `batchSize` with at most `concurrency`
 * in flight. Each href answers on its own: a 404 is `gone`, another status a failure of that
 * card alone. An href the server leaves out (vdirsyncer#1212) or cuts off (a server capping its
 * answer, Zoho's 100) is asked again in a smaller multiget while answers make progress, then
 * fetched alone with GET; what GET cannot fetch is recorded as a failure. A book that refuses
 * multiget gets a GET per card.
 *
 * @throws ProviderError when a whole multiget fails (`TEMPORARY` for 5xx and the network,
 * `AUTH_FAILED` on 401).
 * @example
 * ```ts
 * const result = await fetchCards(transport, bookUrl, plan.fetch.map((m) => m.href), { batchSize: 50 });
 * for (const card of result.cards) parse(card.data);
 * ```
 */
export async function fetchCards(
  transport: DavTransport,
  bookUrl: string | URL,
  hrefs: readonly string[],
  options: FetchCardsOptions = {},
): Promise<FetchCardsResult> {
  const book = new URL(bookUrl);
  const batchSize = Math.max(1, options.batchSize ?? 50);
  const result: FetchCardsResult = { cards: [], gone: [], failures: [] };
  const record = (href: string, outcome: Outcome): void => {
    if (outcome.kind === 'card') result.cards.push({ ...outcome.card, href });
    else if (outcome.kind === 'gone') result.gone.push(href);
    else result.failures.push({ href, message: outcome.message });
  };
  const batches: string[][] = [];
  for (let i = 0; i < hrefs.length; i += batchSize) batches.push(hrefs.slice(i, i + batchSize));

  await runBounded(batches, options.concurrency ?? 3, async (batch) => {
    let pending = batch;
    for (;;) {
      const answer = await multiget(transport, book, pending);
      if (answer === 'refused') break;
      const byKey = new Map(pending.map((href) => [normalizeHref(href, answer.base), href]));
      for (const response of answer.responses) {
        const key = normalizeHref(response.href, answer.base);
        const href = byKey.get(key);
        if (href === undefined) continue; // not asked for (or answered twice): ignored
        byKey.delete(key);
        record(href, readResponse(response));
      }
      const left = [...byKey.values()];
      if (left.length === 0) return;
      const progressed = left.length < pending.length;
      pending = left;
      if (!progressed || left.length === 1) break;
    }
    for (const href of pending) record(href, await getAlone(transport, book, href));
  });
  return result;
}

/**
 * The sentence for a card fetch failure, naming the card by its href path.
 *
 * @example
 * ```ts
 * describeFailure(failure, bookUrl); // 'dav.example.org/ada/contacts/9.vcf: The multiget answered HTTP 500 ...'
 * ```
 */
export function describeFailure(failure: CardFetchFailure, base: URL): string {
  return `${describeUrl(resolveHref(failure.href, base))}: ${failure.message}`;
}
