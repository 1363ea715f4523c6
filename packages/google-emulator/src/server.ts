import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdmin, type EmulatorAdmin } from './admin.js';
import { DEFAULT_SCOPES, defaultCredentials, type EmulatorCredentials, OAuthState } from './auth.js';
import { type Clock, OffsetClock } from './clock.js';
import { ConsentFlow } from './consent.js';
import { EmulatorError, GoogleHttpError, googleErrors } from './errors.js';
import {
  echoResponse,
  endlessPage,
  type Fault,
  type FaultContext,
  type FaultKind,
  FaultQueue,
  faultResponse,
  type ImmediateFault,
  PAGING_FAULTS,
  withNextPageToken,
} from './faults.js';
import { type AddressBook, generateAddressBook } from './generator/address-book.js';
import { Prng } from './generator/prng.js';
import { readBody, sendJson } from './http.js';
import { type EmulatorEndpoint, RequestLog } from './request-log.js';
import { adminRoute } from './routes/admin.js';
import { connectionsRoute } from './routes/connections.js';
import { CONSENT_PATH, consentRoute } from './routes/consent.js';
import { contactGroupsRoute } from './routes/contact-groups.js';
import { otherContactsRoute } from './routes/other-contacts.js';
import type { RouteDeps, RouteHandler } from './routes/route.js';
import { tokenRoute } from './routes/token.js';
import { EmulatorStore } from './store/store.js';
import { forever, padded, streamBody } from './stream-body.js';
import { TokenCodec } from './tokens.js';

/**
 * Options of {@link startGoogleEmulator}. All optional: the default is an empty address book on
 * a random port of 127.0.0.1, on the wall clock, with deterministic test credentials.
 *
 * @example
 * ```ts
 * const options: GoogleEmulatorOptions = { seed: 7, people: 2_500, clock: createManualClock() };
 * ```
 */
export interface GoogleEmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Seeds the generated book, credentials and new ids (default 1). */
  seed?: number;
  /** People to generate when no `book` is given (default 0). */
  people?: number;
  /** Other contacts to generate when no `book` is given (default a quarter of `people`). */
  otherContacts?: number;
  /** A pre-generated book, served as is (its objects are shared, not copied: do not mutate them). */
  book?: AddressBook;
  /** The base clock (default `Date.now`); `admin.advanceClock` adds to it. */
  clock?: Clock;
  /** Client id, secret and refresh token; missing ones get deterministic test values. */
  credentials?: Partial<EmulatorCredentials>;
  /** Scopes granted to access tokens (default contacts.readonly and contacts.other.readonly). */
  scopes?: readonly string[];
  /** Access token lifetime (default 3600). */
  tokenTtlSeconds?: number;
  /** Sync token lifetime (default 7). */
  syncTokenTtlDays?: number;
  /**
   * How `slow` and `drip` faults wait (default a real `setTimeout`). Tests can pass a controllable one;
   * it must reject when `signal` aborts (the emulator aborts pending waits on `close()`).
   */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Called with unexpected errors (answered as 500 INTERNAL); default writes to stderr. */
  onInternalError?: (error: unknown) => void;
}

/**
 * A running emulator. Point the People client at `url` (`rootUrl`) and the OAuth client at
 * `tokenUrl`, with `credentials`.
 *
 * @example
 * ```ts
 * const emulator = await startGoogleEmulator({ people: 500 });
 * const auth = new OAuth2Client({ clientId: emulator.credentials.clientId, clientSecret: emulator.credentials.clientSecret,
 *   endpoints: { oauth2TokenUrl: emulator.tokenUrl } });
 * auth.setCredentials({ refresh_token: emulator.credentials.refreshToken });
 * const api = people({ version: 'v1', auth, rootUrl: emulator.url });
 * await emulator.close();
 * ```
 */
export interface GoogleEmulator {
  /** Root URL with a trailing slash, e.g. `http://127.0.0.1:41234/`: the client's `rootUrl`. */
  readonly url: string;
  /** The OAuth token endpoint, e.g. `http://127.0.0.1:41234/token`. */
  readonly tokenUrl: string;
  /** Google's consent page (`…/o/oauth2/v2/auth`): Allow redirects with an authorization code. */
  readonly authUrl: string;
  /** The admin API over HTTP, e.g. `http://127.0.0.1:41234/__admin/`. */
  readonly adminUrl: string;
  readonly host: string;
  readonly port: number;
  /** The current credentials (a rotated refresh token shows here). */
  readonly credentials: EmulatorCredentials;
  readonly admin: EmulatorAdmin;
  /** Stops listening, drops open connections and aborts pending `slow` and `hang` waits. Idempotent. */
  close(): Promise<void>;
}

const DAY_MS = 86_400_000;

function realSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw new EmulatorError('INVALID_OPTIONS', `${name} must be a positive number; got ${value}.`);
  }
  return value;
}

/** Routes by path; the endpoint names what requests are counted and faulted as. */
function routeOf(method: string, path: string): { endpoint: EmulatorEndpoint; key: string } {
  if (method === 'POST' && path === '/token') return { endpoint: 'token', key: 'token' };
  if (method === 'GET' && /^\/v1\/people\/[^/]+\/connections$/.test(path)) {
    return { endpoint: 'connections', key: 'connections' };
  }
  if (method === 'GET' && path === '/v1/otherContacts')
    return { endpoint: 'otherContacts', key: 'otherContacts' };
  if (method === 'GET' && path === '/v1/contactGroups')
    return { endpoint: 'contactGroups', key: 'contactGroups' };
  return { endpoint: 'other', key: 'notFound' };
}

function faultContext(endpoint: EmulatorEndpoint, params: URLSearchParams): FaultContext {
  const has = (camel: string, snake: string) => Boolean(params.get(camel) || params.get(snake));
  const withSyncToken = has('syncToken', 'sync_token');
  const withPageToken = has('pageToken', 'page_token');
  const wantsToken = (params.get('requestSyncToken') ?? params.get('request_sync_token')) === 'true';
  return {
    endpoint,
    withSyncToken,
    withPageToken,
    fullSyncFirstPage: wantsToken && !withPageToken && !withSyncToken,
  };
}

/** Resolves when the client gives up on the response (closes the connection) or the emulator closes. */
function untilClosed(res: ServerResponse, shutdown: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (res.destroyed || res.closed || shutdown.aborted) return resolve();
    const done = () => {
      res.off('close', done);
      shutdown.removeEventListener('abort', done);
      resolve();
    };
    res.once('close', done);
    shutdown.addEventListener('abort', done, { once: true });
  });
}

const JSON_TYPE = { 'content-type': 'application/json; charset=UTF-8' };

/** The bytes `sendJson` would send for `body`. */
function jsonBytes(body: unknown): Buffer {
  return Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
}

/** The body of a `hugeBody` fault: the real answer, padded in front with JSON whitespace. */
function hugeAnswer(
  fault: Extract<Fault, { kind: 'hugeBody' }>,
  result: { status: number; body: unknown; headers?: Record<string, string> | undefined },
): { headers: Record<string, string>; chunks: Iterable<Buffer> } {
  const tail = jsonBytes(result.body);
  const total = Math.max(fault.bytes, tail.length);
  return {
    headers: {
      ...JSON_TYPE,
      ...(fault.contentLength === false ? {} : { 'content-length': String(total) }),
      ...result.headers,
    },
    chunks: padded(total, tail, 64 * 1024),
  };
}

/**
 * Starts a local Google People API + OAuth token endpoint over real HTTP.
 *
 * @example
 * ```ts
 * const emulator = await startGoogleEmulator({ seed: 42, people: 1_000, clock: createManualClock() });
 * const { accessToken } = emulator.admin.issueAccessToken();
 * const res = await fetch(`${emulator.url}v1/people/me/connections?personFields=names&pageSize=1000`, {
 *   headers: { authorization: `Bearer ${accessToken}` },
 * });
 * (await res.json()).connections.length; // 1000
 * await emulator.close();
 * ```
 */
export async function startGoogleEmulator(options: GoogleEmulatorOptions = {}): Promise<GoogleEmulator> {
  const seed = options.seed ?? options.book?.seed ?? 1;
  if (!Number.isSafeInteger(seed))
    throw new EmulatorError('INVALID_OPTIONS', `seed must be a safe integer; got ${seed}.`);
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new EmulatorError('INVALID_OPTIONS', `port must be an integer in 0..65535; got ${port}.`);
  }
  const host = options.host ?? '127.0.0.1';
  const tokenTtlSeconds = positive('tokenTtlSeconds', options.tokenTtlSeconds, 3600);
  const syncTokenTtlMs = positive('syncTokenTtlDays', options.syncTokenTtlDays, 7) * DAY_MS;

  const clock = new OffsetClock(options.clock ?? { now: () => Date.now() });
  const store = new EmulatorStore(clock, new Prng(seed * 4 + 5));
  const book =
    options.book ??
    generateAddressBook({
      seed,
      people: options.people ?? 0,
      ...(options.otherContacts === undefined ? {} : { otherContacts: options.otherContacts }),
    });
  store.load(book);

  const auth = new OAuthState(
    seed,
    { ...defaultCredentials(seed), ...options.credentials },
    options.scopes ?? DEFAULT_SCOPES,
    tokenTtlSeconds,
    clock,
  );
  const faults = new FaultQueue();
  const log = new RequestLog();
  const admin = createAdmin({ store, clock, auth, faults, log });
  const consent = new ConsentFlow(clock);
  const deps: RouteDeps = {
    store,
    clock,
    auth,
    consent,
    syncTokenTtlMs,
    codec: new TokenCodec(randomBytes(6).toString('hex'), randomBytes(32)),
  };
  const routes: Record<string, RouteHandler> = {
    connections: connectionsRoute(deps),
    otherContacts: otherContactsRoute(deps),
    contactGroups: contactGroupsRoute(deps),
    token: tokenRoute(deps),
    notFound: () => ({ status: 404, body: googleErrors.notFound() }),
  };
  const admins = adminRoute(admin);
  const consentPages = consentRoute({ auth, consent });
  const sleep = options.sleep ?? realSleep;
  const shutdown = new AbortController();
  const onInternalError =
    options.onInternalError ?? ((error: unknown) => console.error('google-emulator: internal error', error));

  // The page token each list endpoint's latest request carried (a `cyclePageToken` fault's A),
  // and how many people an `endlessPages` fault has made up so far.
  const lastPageToken = new Map<EmulatorEndpoint, string>();
  let endlessServed = 0;
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    if (url.pathname === '/__admin' || url.pathname.startsWith('/__admin/')) {
      try {
        const result = await admins(req, url);
        sendJson(res, result.status, result.body, result.headers);
      } catch (error) {
        if (error instanceof GoogleHttpError) return sendJson(res, error.status, error.body, error.headers);
        onInternalError(error);
        sendJson(res, 500, googleErrors.internal());
      }
      return;
    }
    if (url.pathname === CONSENT_PATH || url.pathname.startsWith(`${CONSENT_PATH}/`)) {
      // The browser's half of the flow: HTML and redirects, outside the API's faults and log.
      const result = await consentPages(req, url);
      const headers: Record<string, string> = { 'cache-control': 'no-store' };
      if (result.location) headers.location = result.location;
      if (result.html) headers['content-type'] = 'text/html; charset=utf-8';
      res.writeHead(result.status, headers);
      res.end(result.html ?? '');
      return;
    }
    const { endpoint, key } = routeOf(req.method ?? 'GET', url.pathname);
    let status = 500;
    let faultKind: FaultKind | undefined;
    let bytesSent: number | undefined;
    const stream = { intervalMs: 0, sleep, shutdown: shutdown.signal };
    try {
      const fault = faults.take(faultContext(endpoint, url.searchParams));
      faultKind = fault?.kind;
      const pageToken = url.searchParams.get('pageToken') || url.searchParams.get('page_token') || undefined;
      const previousPageToken = lastPageToken.get(endpoint);
      if (pageToken) lastPageToken.set(endpoint, pageToken);
      if (fault?.kind === 'endlessPages') {
        const size = Math.min(1000, Math.max(1, Number(url.searchParams.get('pageSize')) || 100));
        const body = endlessPage(endpoint, endlessServed + 1, size);
        endlessServed += size;
        status = 200;
        return sendJson(res, 200, body);
      }
      if (fault?.kind === 'echoRequest') {
        const answer = echoResponse(fault, {
          endpoint,
          method: req.method ?? 'GET',
          target: req.url ?? '/',
          headers: req.headers,
          body: await readBody(req),
        });
        status = answer.status;
        return sendJson(res, answer.status, answer.body, answer.headers);
      }
      if (fault?.kind === 'hang') {
        await untilClosed(res, shutdown.signal);
        status = 0;
        return void res.destroy();
      }
      if (fault?.kind === 'drip' || fault?.kind === 'endlessBody') {
        status = 200;
        res.writeHead(200, JSON_TYPE);
        const [chunk, intervalMs] =
          fault.kind === 'drip'
            ? [Buffer.from(' '), fault.intervalMs]
            : [Buffer.alloc(fault.chunkBytes ?? 64 * 1024, ' '), 0];
        bytesSent = await streamBody(res, forever(chunk), { ...stream, intervalMs });
        return;
      }
      if (fault && fault.kind !== 'slow' && fault.kind !== 'hugeBody' && !PAGING_FAULTS.has(fault.kind)) {
        const answer = faultResponse(fault as ImmediateFault);
        status = answer.status;
        return sendJson(res, answer.status, answer.body, answer.headers);
      }
      if (fault?.kind === 'slow') await sleep(fault.delayMs, shutdown.signal);
      const result = await (routes[key] as RouteHandler)(req, url, {
        emptyListing: fault?.kind === 'emptyListing',
      });
      status = result.status;
      if (fault?.kind === 'hugeBody') {
        const answer = hugeAnswer(fault, result);
        res.writeHead(result.status, answer.headers);
        bytesSent = await streamBody(res, answer.chunks, stream);
        return;
      }
      // A page token repeated (A, A) or from the request before (A, B, A), on a normal page.
      const repeated =
        fault?.kind === 'repeatPageToken'
          ? pageToken
          : fault?.kind === 'cyclePageToken'
            ? previousPageToken
            : undefined;
      const body = result.status === 200 && repeated ? withNextPageToken(result.body, repeated) : result.body;
      sendJson(res, result.status, body, result.headers);
    } catch (error) {
      if (shutdown.signal.aborted) return void res.destroy();
      if (error instanceof GoogleHttpError) {
        status = error.status;
        return sendJson(res, error.status, error.body, error.headers);
      }
      onInternalError(error);
      sendJson(res, 500, googleErrors.internal());
    } finally {
      log.record({
        at: clock.now(),
        method: req.method ?? 'GET',
        endpoint,
        path: url.pathname,
        query: url.search.slice(1),
        status,
        durationMs: performance.now() - started,
        ...(faultKind ? { fault: faultKind } : {}),
        ...(bytesSent === undefined ? {} : { bytesSent }),
      });
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      onInternalError(error);
      res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
  let closing: Promise<void> | undefined;

  return {
    url: `${origin}/`,
    tokenUrl: `${origin}/token`,
    authUrl: `${origin}${CONSENT_PATH}`,
    adminUrl: `${origin}/__admin/`,
    host,
    port: bound,
    get credentials() {
      return auth.credentials;
    },
    admin,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        shutdown.abort(new EmulatorError('CLOSED', 'The emulator was closed.'));
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
