import { createGuardedFetch, type FetchLike } from '@contacts/core';
import { people, type people_v1 } from '@googleapis/people';
import { OAuth2Client } from 'google-auth-library';

/** What {@link createPeopleClient} needs. */
export interface PeopleClientOptions {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  rootUrl: string;
  tokenUrl: string;
  requestTimeoutMs: number;
  /** The largest answer body accepted, in bytes. */
  maxResponseBytes: number;
}

// node-fetch, for requests that gaxios gave a proxy (or client certificate) agent: Node's fetch
// knows no `agent`. Loaded only when such a request is made.
const nodeFetch: FetchLike = async (input, init) => {
  const { default: fetch } = await import('node-fetch');
  return (await fetch(input as never, init as never)) as unknown as Response;
};

/** The People API client and the OAuth client behind it. */
export interface PeopleClient {
  api: people_v1.People;
  auth: OAuth2Client;
}

/**
 * The real `@googleapis/people` client on an `OAuth2Client` that refreshes its access token at
 * `tokenUrl`, with every gaxios retry switched off. gaxios retries 3 times within ~2 s and
 * ignores `Retry-After`, both for API calls and for token refreshes (google-auth-library turns
 * them on per request); `callWithRetry` does quota-aware retries instead, so the interceptor
 * below strips the per-request retry config of every request this client sends.
 *
 * Every request, token refreshes included, goes through `@contacts/core`'s guarded fetch: one
 * deadline of `requestTimeoutMs` for the whole answer (headers and body) on a timer of its own,
 * and a cap of `maxResponseBytes` on the body. gaxios is given no `timeout` of its own: it
 * combines the caller's signal with `AbortSignal.timeout()` through `AbortSignal.any()`, and
 * Node 20 lets the garbage collector take that timeout signal (nodejs/node#57736), after which a
 * request that never answers waited for undici's 300 s, and a slow drip for ever.
 *
 * @example
 * ```ts
 * const { api } = createPeopleClient({ clientId, clientSecret, refreshToken, rootUrl: emulator.url, tokenUrl: emulator.tokenUrl, requestTimeoutMs: 60_000, maxResponseBytes: 64 * 1024 * 1024 });
 * const res = await api.people.connections.list({ resourceName: 'people/me', personFields: 'names' });
 * ```
 */
export function createPeopleClient(options: PeopleClientOptions): PeopleClient {
  const bounds = { timeoutMs: options.requestTimeoutMs, maxResponseBytes: options.maxResponseBytes };
  const guardedFetch = createGuardedFetch(bounds);
  const guardedNodeFetch = createGuardedFetch({ ...bounds, fetch: nodeFetch });
  const auth = new OAuth2Client({
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    endpoints: { oauth2TokenUrl: options.tokenUrl },
    // No forceRefreshOnFailure: it refreshes and resends at once on every 403 too, and a 403 can
    // be a quota error that must wait for Retry-After. The provider refreshes on a 401 itself.
  });
  auth.setCredentials({ refresh_token: options.refreshToken });
  auth.transporter.interceptors.request.add({
    resolved: async (config) => {
      config.retry = false;
      config.retryConfig = { retry: 0 };
      // gaxios uses node-fetch on Node unless told otherwise, and node-fetch 3 meets a signal
      // that is already aborted by destroying a POST's body stream with no 'error' listener on
      // it: an uncaught exception that takes the host process down. Node's own fetch rejects
      // instead, and the guard never hands on a signal that is already aborted. Node's fetch
      // knows no `agent`, so a request gaxios gave a proxy (or client certificate) agent goes
      // to node-fetch, through the same guard.
      config.fetchImplementation = (config.agent ? guardedNodeFetch : guardedFetch) as typeof fetch;
      return config;
    },
  });
  // googleapis-common types `auth` with its own google-auth-library copy (10.5.0); ours is 10.9.1.
  // At run time it only calls `auth.request()`, which both versions share.
  const clientAuth = auth as unknown as people_v1.Options['auth'];
  const api = people({
    version: 'v1',
    auth: clientAuth,
    rootUrl: options.rootUrl,
    retry: false,
  });
  return { api, auth };
}
