import { createGuardedFetch, credentialUrlProblem, type FetchLike, ProviderError } from '@contacts/core';
import { authRefused, authWithheld, describeUrl, exchangeFailure } from './dav-errors.js';
import { sameSite } from './same-site.js';

/**
 * The user name and password of a CardDAV account (an app-specific password for iCloud and
 * Fastmail). Sent with Basic auth on every request to the configured site, and to no other.
 *
 * @example
 * ```ts
 * const credentials: DavCredentials = { username: 'ada@icloud.com', password: 'abcd-efgh-ijkl-mnop' };
 * ```
 */
export interface DavCredentials {
  username: string;
  password: string;
}

/**
 * Options of {@link DavTransport}.
 *
 * @example
 * ```ts
 * const options: DavTransportOptions = { site: 'https://contacts.icloud.com/', credentials, timeoutMs: 60_000 };
 * ```
 */
export interface DavTransportOptions {
  /** The configured url: its site (see `sameSite`) is the only one the credentials go to. */
  site: string | URL;
  credentials: DavCredentials;
  /** The deadline of one whole exchange, headers and body (default 60 s). */
  timeoutMs?: number;
  /** The largest answer read, in bytes (default 64 MiB). */
  maxResponseBytes?: number;
  /** Redirects followed for one request (default 5). */
  maxRedirects?: number;
  /** The fetch under the guard (default core's `defaultFetch`). */
  fetch?: FetchLike;
  /** The clock, for `Retry-After` dates (default `Date.now`). */
  now?: () => number;
}

/**
 * One DAV request.
 *
 * @example
 * ```ts
 * const request: DavRequest = { method: 'PROPFIND', url: bookUrl, depth: '0', body: propfindBody([...]) };
 * ```
 */
export interface DavRequest {
  method: string;
  url: string | URL;
  depth?: '0' | '1' | 'infinity';
  /** An XML body (sent as `application/xml; charset=utf-8`) unless `contentType` says otherwise. */
  body?: string;
  contentType?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/**
 * The answer to a {@link DavRequest}, its body read in full (within the guard's cap).
 *
 * @example
 * ```ts
 * const { status, url, body } = await transport.request({ method: 'GET', url: cardUrl });
 * ```
 */
export interface DavExchange {
  status: number;
  /** The URL that answered, after the redirects followed: hrefs in the body resolve against it. */
  url: URL;
  headers: Headers;
  body: string;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * The HTTP layer every CardDAV request goes through: core's guarded fetch (one deadline for the
 * whole exchange and a body cap), Basic auth sent up front (no extra round trip for a
 * challenge), and redirects followed by hand. Node's `fetch` follows a cross-host redirect
 * itself but drops `Authorization` (iCloud's partition hosts then answer 401), and a client that
 * re-adds it blindly hands the password to whatever host a redirect names: here the credentials
 * go to every URL on the configured site (`sameSite`), to no other, and never over plain http
 * except to loopback. A 401 is `AUTH_FAILED` with a sentence about app-specific passwords;
 * other statuses are returned for the caller to read. `requests` counts the exchanges made
 * (redirect hops included), for the "a quiet poll is one request" budget.
 *
 * @example
 * ```ts
 * const transport = new DavTransport({ site: 'https://contacts.icloud.com/', credentials });
 * const exchange = await transport.request({ method: 'PROPFIND', url: 'https://contacts.icloud.com/', depth: '0', body });
 * transport.requests; // 2 when iCloud redirected once
 * ```
 */
export class DavTransport {
  readonly site: URL;
  requests = 0;
  readonly #fetch: FetchLike;
  readonly #authorization: string;
  readonly #maxRedirects: number;
  readonly now: () => number;

  constructor(options: DavTransportOptions) {
    this.site = new URL(options.site);
    this.#fetch = createGuardedFetch({
      timeoutMs: options.timeoutMs ?? 60_000,
      maxResponseBytes: options.maxResponseBytes ?? 64 * 1024 * 1024,
      fetch: options.fetch,
    });
    const { username, password } = options.credentials;
    this.#authorization = `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
    this.#maxRedirects = options.maxRedirects ?? 5;
    this.now = options.now ?? Date.now;
  }

  /**
   * Sends one request, following redirects by hand.
   *
   * @throws ProviderError `AUTH_FAILED` on 401, `PERMANENT` for an unsafe URL or too many
   * redirects, `TEMPORARY` when no answer came (network, deadline, body cap).
   */
  async request(request: DavRequest): Promise<DavExchange> {
    let url = new URL(request.url);
    let method = request.method;
    let body = request.body;
    for (let hop = 0; ; hop += 1) {
      const problem = credentialUrlProblem(url.href);
      if (problem !== null || url.username || url.password) {
        throw new ProviderError(
          'PERMANENT',
          `The CardDAV address ${url.host} cannot be used: it ${problem ?? 'must not carry a user name or password (store them as credentials)'}.`,
          { provider: 'carddav' },
        );
      }
      const withCredentials = sameSite(this.site, url);
      const response = await this.#exchange(url, method, body, request, withCredentials);
      const location = response.headers.get('location');
      if (REDIRECTS.has(response.status) && location !== null) {
        await response.body?.cancel().catch(() => {});
        if (hop >= this.#maxRedirects) {
          throw new ProviderError(
            'PERMANENT',
            `The CardDAV server redirected ${describeUrl(new URL(request.url))} more than ${this.#maxRedirects} times.`,
            { provider: 'carddav' },
          );
        }
        url = new URL(location, url);
        if (response.status === 303) {
          method = 'GET';
          body = undefined;
        }
        continue;
      }
      if (response.status === 401) {
        await response.body?.cancel().catch(() => {});
        throw withCredentials ? authRefused(url) : authWithheld(this.site, url);
      }
      let text: string;
      try {
        text = await response.text();
      } catch (error) {
        throw exchangeFailure(error, method, url);
      }
      return { status: response.status, url, headers: response.headers, body: text };
    }
  }

  async #exchange(
    url: URL,
    method: string,
    body: string | undefined,
    request: DavRequest,
    withCredentials: boolean,
  ): Promise<Response> {
    const headers: Record<string, string> = { ...request.headers };
    if (withCredentials) headers.authorization = this.#authorization;
    if (request.depth !== undefined) headers.depth = request.depth;
    if (body !== undefined) headers['content-type'] = request.contentType ?? 'application/xml; charset=utf-8';
    this.requests += 1;
    try {
      return await this.#fetch(url, { method, headers, body, redirect: 'manual', signal: request.signal });
    } catch (error) {
      throw exchangeFailure(error, method, url);
    }
  }
}
