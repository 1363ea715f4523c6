import { statusError } from './dav-errors.js';
import type { DavTransport } from './dav-transport.js';

/**
 * Options of {@link putCard}: the preconditions that keep a write from overwriting a change it
 * has not seen.
 *
 * @example
 * ```ts
 * const create: PutCardOptions = { ifNoneMatch: '*' };
 * const update: PutCardOptions = { ifMatch: '"v1"' };
 * ```
 */
export interface PutCardOptions {
  ifMatch?: string;
  ifNoneMatch?: '*';
}

/**
 * Stores a vCard at `url` with PUT. The ETag answered (often none: servers that rewrite cards
 * withhold it) names the server's bytes, not these: never cache what was sent, fetch it back.
 *
 * @throws ProviderError for any status but 2xx (412 when a precondition failed is `PERMANENT`).
 * @example
 * ```ts
 * const { etag } = await putCard(transport, new URL('1.vcf', bookUrl), 'BEGIN:VCARD\r\n...', { ifNoneMatch: '*' });
 * ```
 */
export async function putCard(
  transport: DavTransport,
  url: string | URL,
  vcard: string,
  options: PutCardOptions = {},
): Promise<{ status: number; etag: string | null }> {
  const headers: Record<string, string> = {};
  if (options.ifMatch !== undefined) headers['if-match'] = options.ifMatch;
  if (options.ifNoneMatch !== undefined) headers['if-none-match'] = options.ifNoneMatch;
  const exchange = await transport.request({
    method: 'PUT',
    url,
    body: vcard,
    contentType: 'text/vcard; charset=utf-8',
    headers,
  });
  if (exchange.status < 200 || exchange.status > 299) throw statusError(exchange, 'PUT', transport.now());
  return { status: exchange.status, etag: exchange.headers.get('etag') };
}

/**
 * Deletes the card at `url` (optionally only if its ETag is still `ifMatch`).
 *
 * @throws ProviderError for any status but 2xx.
 * @example
 * ```ts
 * await deleteCard(transport, cardUrl);
 * ```
 */
export async function deleteCard(
  transport: DavTransport,
  url: string | URL,
  ifMatch?: string,
): Promise<void> {
  const exchange = await transport.request({
    method: 'DELETE',
    url,
    headers: ifMatch === undefined ? {} : { 'if-match': ifMatch },
  });
  if (exchange.status < 200 || exchange.status > 299) throw statusError(exchange, 'DELETE', transport.now());
}
