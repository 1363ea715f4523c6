import { findHttpGuardError, ProviderError } from '@contacts/core';

const provider = 'carddav';

/**
 * Where a request went, as error messages name it: host and path, never the user info or the
 * query (either could hold a secret).
 *
 * @example
 * ```ts
 * describeUrl(new URL('https://dav.example.org/books/ada/')); // 'dav.example.org/books/ada/'
 * ```
 */
export function describeUrl(url: URL): string {
  return `${url.host}${url.pathname}`;
}

/**
 * The sentence for a 401: the credentials were sent and refused.
 *
 * @example
 * ```ts
 * throw authRefused(new URL('https://contacts.icloud.com/'));
 * ```
 */
export function authRefused(url: URL): ProviderError {
  return new ProviderError(
    'AUTH_FAILED',
    `The CardDAV server at ${url.host} refused the user name and password (HTTP 401). ` +
      'iCloud, Fastmail and most hosted servers need an app-specific password, not the account ' +
      "password: create one in the account's security settings and store it with the user name.",
    { provider },
  );
}

/**
 * The sentence for a 401 from a site the credentials were not sent to (a redirect left the
 * configured site).
 *
 * @example
 * ```ts
 * throw authWithheld(new URL('https://dav.example.org/'), new URL('https://other.example.net/'));
 * ```
 */
export function authWithheld(site: URL, url: URL): ProviderError {
  return new ProviderError(
    'AUTH_FAILED',
    `The CardDAV server sent the request on to ${url.host}, another site than the configured ` +
      `${site.host}, which asks for a password (HTTP 401). Credentials are only sent to the ` +
      `configured site: if you trust ${url.host}, set the url to an address on it.`,
    { provider },
  );
}

function retryAfterMs(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * The {@link ProviderError} for an answer whose status the caller does not handle itself:
 * 429 and 503 with `Retry-After` are `RATE_LIMITED`, other 5xx, 408 and 429 `TEMPORARY`, 401
 * `AUTH_FAILED`, any other status `PERMANENT` (the request will not work as made).
 *
 * @example
 * ```ts
 * if (exchange.status !== 207) throw statusError(exchange, 'PROPFIND', Date.now());
 * ```
 */
export function statusError(
  exchange: { status: number; url: URL; headers: Headers },
  method: string,
  now: number,
): ProviderError {
  const { status, url } = exchange;
  if (status === 401) return authRefused(url);
  const where = `${method} ${describeUrl(url)}`;
  const wait = retryAfterMs(exchange.headers.get('retry-after'), now);
  if ((status === 429 || status === 503) && wait !== undefined) {
    return new ProviderError(
      'RATE_LIMITED',
      `The CardDAV server asked to wait ${Math.ceil(wait / 1000)} s (HTTP ${status} to ${where}).`,
      { provider, retryAfterMs: wait },
    );
  }
  if (status >= 500 || status === 408 || status === 429) {
    return new ProviderError(
      'TEMPORARY',
      `The CardDAV server failed ${where} (HTTP ${status}); a later attempt may succeed.`,
      {
        provider,
      },
    );
  }
  const hint =
    status === 403
      ? 'the account may not read it'
      : status === 404
        ? 'check the url'
        : status === 405 || status === 501
          ? 'the server does not offer this request there; check that the url is a CardDAV address'
          : 'the request will not work as made';
  return new ProviderError('PERMANENT', `The CardDAV server refused ${where} (HTTP ${status}): ${hint}.`, {
    provider,
  });
}

/**
 * What a failed exchange (no answer: network error, deadline, oversized body) becomes: always
 * `TEMPORARY`, with the guard's figures or the network's error code, never the request.
 *
 * @example
 * ```ts
 * try { res = await fetch(url, init); } catch (e) { throw exchangeFailure(e, 'PROPFIND', url); }
 * ```
 */
export function exchangeFailure(error: unknown, method: string, url: URL): ProviderError {
  if (error instanceof ProviderError) return error;
  const where = `${method} ${describeUrl(url)}`;
  const guard = findHttpGuardError(error);
  if (guard?.code === 'DEADLINE_EXCEEDED') {
    return new ProviderError(
      'TEMPORARY',
      `The CardDAV server did not answer ${where} within ${guard.limit} ms.`,
      {
        provider,
        cause: guard,
      },
    );
  }
  if (guard?.code === 'RESPONSE_TOO_LARGE') {
    return new ProviderError(
      'TEMPORARY',
      `The CardDAV server's answer to ${where} was larger than ${guard.limit} bytes; raise the body cap or use smaller batches.`,
      { provider, cause: guard },
    );
  }
  const code = networkCode(error);
  return new ProviderError(
    'TEMPORARY',
    `Could not reach the CardDAV server for ${where}${code ? ` (${code})` : ''}; a later attempt may succeed.`,
    { provider, cause: error },
  );
}

function networkCode(error: unknown): string | null {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current !== null && typeof current === 'object'; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}
