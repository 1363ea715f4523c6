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
}

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
 * below strips the per-request retry config of every request this client sends, and sends every
 * request without a proxy agent through Node's `fetch` rather than gaxios' default node-fetch,
 * which can throw an uncaught exception when a request's timeout has already passed.
 *
 * @example
 * ```ts
 * const { api } = createPeopleClient({ clientId, clientSecret, refreshToken, rootUrl: emulator.url, tokenUrl: emulator.tokenUrl, requestTimeoutMs: 60_000 });
 * const res = await api.people.connections.list({ resourceName: 'people/me', personFields: 'names' });
 * ```
 */
export function createPeopleClient(options: PeopleClientOptions): PeopleClient {
  const auth = new OAuth2Client({
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    endpoints: { oauth2TokenUrl: options.tokenUrl },
    transporterOptions: { timeout: options.requestTimeoutMs },
    // No forceRefreshOnFailure: it refreshes and resends at once on every 403 too, and a 403 can
    // be a quota error that must wait for Retry-After. The provider refreshes on a 401 itself.
  });
  auth.setCredentials({ refresh_token: options.refreshToken });
  auth.transporter.interceptors.request.add({
    resolved: async (config) => {
      config.retry = false;
      config.retryConfig = { retry: 0 };
      // gaxios uses node-fetch on Node unless told otherwise, and node-fetch 3 meets a signal
      // that is already aborted (gaxios' `timeout` is an abort signal, armed before the request
      // starts) by destroying a POST's body stream with no 'error' listener on it: an uncaught
      // exception that takes the host process down (a token refresh whose timeout passed while
      // the event loop was busy). Node's own fetch rejects instead. It knows no `agent`, so a
      // request gaxios gave a proxy (or client certificate) agent keeps node-fetch.
      if (!config.agent) config.fetchImplementation = globalThis.fetch;
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
    timeout: options.requestTimeoutMs,
  });
  return { api, auth };
}
