import { ProviderError } from '@contacts/core';
import { describeUrl, statusError } from './dav-errors.js';
import type { DavExchange, DavTransport } from './dav-transport.js';
import { normalizeHref } from './href.js';
import { findProp, parseMultistatus } from './multistatus.js';
import { NS } from './namespaces.js';
import { syncCollectionBody } from './request-bodies.js';
import { containsElement, parseXml } from './xml.js';

/**
 * A member the server reports: its href as the server wrote it and its ETag as sent (quoted or
 * not; null when the server gave none).
 *
 * @example
 * ```ts
 * const member: DavMember = { href: '/ada/contacts/1.vcf', etag: '"v1"' };
 * ```
 */
export interface DavMember {
  href: string;
  etag: string | null;
}

/**
 * One answer of a sync-collection REPORT.
 *
 * @example
 * ```ts
 * if (page.truncated) next = await syncCollectionPage(transport, book, page.syncToken);
 * ```
 */
export interface SyncCollectionPage {
  kind: 'page';
  /** Members added or changed since the token sent. */
  changed: DavMember[];
  /** Hrefs removed since the token sent (a 404 status, no propstat). May name hrefs never seen. */
  removed: string[];
  /** The token to send next: the continuation while `truncated`, the new state otherwise. */
  syncToken: string;
  /** The server cut the answer (a 507 for the collection itself): ask again with `syncToken`. */
  truncated: boolean;
}

/**
 * The token was refused: a full sync must follow (an empty token, or the PROPFIND listing when
 * the server refuses an empty token too).
 * - `invalid-token`: expired or unknown (403/409 `DAV:valid-sync-token`, Xandikos' 500);
 * - `initial-sync-refused`: the server refuses an EMPTY token (Google's 400): list the book
 *   with a PROPFIND instead and keep its `sync-token` property.
 *
 * @example
 * ```ts
 * if (outcome.kind === 'token-invalid') throw cursorExpiredError(outcome);
 * ```
 */
export interface SyncTokenInvalid {
  kind: 'token-invalid';
  reason: 'invalid-token' | 'initial-sync-refused';
  status: number;
}

/**
 * What {@link syncCollectionPage} answers.
 *
 * @example
 * ```ts
 * const outcome: SyncCollectionOutcome = await syncCollectionPage(transport, bookUrl, token);
 * ```
 */
export type SyncCollectionOutcome = SyncCollectionPage | SyncTokenInvalid;

/**
 * Options of the sync-collection calls.
 *
 * @example
 * ```ts
 * const options: SyncCollectionOptions = { limit: 500 };
 * ```
 */
export interface SyncCollectionOptions {
  /** Asks for at most this many members an answer (`DAV:limit`); servers may ignore it. */
  limit?: number;
}

function refusesToken(exchange: DavExchange): boolean {
  if (!exchange.body.trim()) return false;
  try {
    return containsElement(parseXml(exchange.body), NS.dav, 'valid-sync-token');
  } catch {
    return false;
  }
}

function tokenInvalid(exchange: DavExchange, token: string): SyncTokenInvalid | null {
  const { status } = exchange;
  if (token === '') {
    // Google answers 400 to an empty token: the initial listing has to be a PROPFIND.
    return status === 400 ? { kind: 'token-invalid', reason: 'initial-sync-refused', status } : null;
  }
  if ((status === 403 || status === 409 || status === 400) && refusesToken(exchange)) {
    return { kind: 'token-invalid', reason: 'invalid-token', status };
  }
  // Xandikos 0.2.8 answers 500 to a token it does not know (garbage or from another state).
  if (status === 500) return { kind: 'token-invalid', reason: 'invalid-token', status };
  return null;
}

// Google's CardDAV reports no changes with Depth 0 (carddavclient): it needs Depth 1.
function depthFor(url: URL): '0' | '1' {
  return url.hostname.toLowerCase().endsWith('googleapis.com') ? '1' : '0';
}

/**
 * One sync-collection REPORT (RFC 6578) on a book: the members changed and removed since
 * `syncToken` ('' for the initial sync), or a typed refusal of the token.
 *
 * @throws ProviderError for other failures (see `statusError`), `TEMPORARY` when a 207 carries
 * no sync-token.
 * @example
 * ```ts
 * const outcome = await syncCollectionPage(transport, bookUrl, '');
 * if (outcome.kind === 'page') save(outcome.changed, outcome.removed, outcome.syncToken);
 * ```
 */
export async function syncCollectionPage(
  transport: DavTransport,
  bookUrl: string | URL,
  syncToken: string,
  options: SyncCollectionOptions = {},
): Promise<SyncCollectionOutcome> {
  const url = new URL(bookUrl);
  const exchange = await transport.request({
    method: 'REPORT',
    url,
    depth: depthFor(url),
    body: syncCollectionBody(syncToken, options.limit),
  });
  if (exchange.status !== 207) {
    const invalid = tokenInvalid(exchange, syncToken);
    if (invalid) return invalid;
    throw statusError(exchange, 'REPORT sync-collection', transport.now());
  }
  const multistatus = parseMultistatus(exchange.body);
  if (multistatus.syncToken === null) {
    throw new ProviderError(
      'TEMPORARY',
      `The CardDAV server answered the sync-collection REPORT of ${describeUrl(exchange.url)} without a sync-token.`,
      { provider: 'carddav' },
    );
  }
  const selfKey = normalizeHref(exchange.url.href, exchange.url);
  const page: SyncCollectionPage = {
    kind: 'page',
    changed: [],
    removed: [],
    syncToken: multistatus.syncToken,
    truncated: false,
  };
  for (const response of multistatus.responses) {
    if (response.status === 507) {
      page.truncated = true;
      continue;
    }
    // iCloud lists the book itself among the changes.
    if (!response.href || normalizeHref(response.href, exchange.url) === selfKey) continue;
    if (response.status === 404) {
      page.removed.push(response.href);
      continue;
    }
    if (response.status !== null && (response.status < 200 || response.status > 299)) continue;
    page.changed.push({
      href: response.href,
      etag: findProp(response, NS.dav, 'getetag')?.text.trim() || null,
    });
  }
  return page;
}

/**
 * The sync-collection pages from `syncToken` until the server stops truncating (507): each page
 * as it arrives, so a caller can commit it and keep its `syncToken` as the resume point. Stops
 * after a {@link SyncTokenInvalid}.
 *
 * @throws ProviderError `TEMPORARY` when a truncated answer hands back the token it was sent
 * (no progress), besides what {@link syncCollectionPage} throws.
 * @example
 * ```ts
 * for await (const outcome of syncCollectionPages(transport, bookUrl, saved ?? '')) {
 *   if (outcome.kind === 'token-invalid') return fullSync();
 *   await commit(outcome); // outcome.syncToken is the resume point
 * }
 * ```
 */
export async function* syncCollectionPages(
  transport: DavTransport,
  bookUrl: string | URL,
  syncToken: string,
  options: SyncCollectionOptions = {},
): AsyncGenerator<SyncCollectionOutcome> {
  let token = syncToken;
  for (;;) {
    const outcome = await syncCollectionPage(transport, bookUrl, token, options);
    yield outcome;
    if (outcome.kind === 'token-invalid' || !outcome.truncated) return;
    if (outcome.syncToken === token) {
      throw new ProviderError(
        'TEMPORARY',
        `The CardDAV server truncated the sync-collection REPORT of ${describeUrl(new URL(bookUrl))} ` +
          'and handed back the same token: it makes no progress.',
        { provider: 'carddav' },
      );
    }
    token = outcome.syncToken;
  }
}

/**
 * The {@link ProviderError} `CURSOR_EXPIRED` for a refused token: the engine drops the cursor
 * and runs a full sync at once.
 *
 * @example
 * ```ts
 * if (outcome.kind === 'token-invalid') throw cursorExpiredError(outcome);
 * ```
 */
export function cursorExpiredError(outcome: SyncTokenInvalid): ProviderError {
  const why =
    outcome.reason === 'initial-sync-refused'
      ? 'refused an initial sync-collection (an empty token)'
      : 'no longer accepts the saved sync token';
  return new ProviderError(
    'CURSOR_EXPIRED',
    `The CardDAV server ${why} (HTTP ${outcome.status}): a full sync follows.`,
    {
      provider: 'carddav',
    },
  );
}
