import { statusError } from './dav-errors.js';
import type { DavTransport } from './dav-transport.js';
import { normalizeHref } from './href.js';
import { type DavResponse, type Multistatus, parseMultistatus } from './multistatus.js';
import { type DavPropName, propfindBody } from './request-bodies.js';

/**
 * A PROPFIND's answer: the parsed multistatus and the URL that answered (after redirects).
 *
 * @example
 * ```ts
 * const { multistatus, url } = await propfind(transport, bookUrl, '0', [[NS.dav, 'sync-token']]);
 * ```
 */
export interface PropfindResult {
  multistatus: Multistatus;
  url: URL;
}

/**
 * Sends a PROPFIND and reads its multistatus.
 *
 * @throws ProviderError for any status but 207 (see `statusError`), `TEMPORARY` for a body that
 * is not a multistatus.
 * @example
 * ```ts
 * const { multistatus } = await propfind(transport, homeUrl, '1', [[NS.dav, 'resourcetype']]);
 * ```
 */
export async function propfind(
  transport: DavTransport,
  url: string | URL,
  depth: '0' | '1',
  props: readonly DavPropName[],
): Promise<PropfindResult> {
  const exchange = await transport.request({ method: 'PROPFIND', url, depth, body: propfindBody(props) });
  if (exchange.status !== 207) throw statusError(exchange, 'PROPFIND', transport.now());
  return { multistatus: parseMultistatus(exchange.body), url: exchange.url };
}

/**
 * The response about the requested resource itself in a PROPFIND answer: the one whose href is
 * the URL that answered, or, when none matches (some servers answer with another spelling), the
 * first.
 *
 * @example
 * ```ts
 * const self = selfResponse(result);
 * ```
 */
export function selfResponse({ multistatus, url }: PropfindResult): DavResponse | undefined {
  const key = normalizeHref(url.href, url);
  return (
    multistatus.responses.find((response) => normalizeHref(response.href, url) === key) ??
    multistatus.responses[0]
  );
}
