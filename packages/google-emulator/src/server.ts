import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdmin, type EmulatorAdmin } from './admin.js';
import {
  bearerOf,
  DEFAULT_SCOPES,
  defaultCredentials,
  type EmulatorCredentials,
  type FleetAuth,
  OAuthState,
  type TokenHolder,
} from './auth.js';
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
import { type FleetAccount, FleetAccounts } from './fleet/accounts.js';
import { createFleetAdmin, type FleetAdmin } from './fleet/admin.js';
import type { FleetBook } from './fleet/book.js';
import { accountOfRefreshToken, fleetClient, projectNumber } from './fleet/credentials.js';
import { derivedSeed, type FleetOptions, fleetPlan } from './fleet/plan.js';
import { type AddressBook, generateAddressBook } from './generator/address-book.js';
import { Prng } from './generator/prng.js';
import { readBody, sendJson } from './http.js';
import { type LatencyOption, latencyOf } from './latency.js';
import { QuotaLedger, type QuotaOptions } from './quota.js';
import { type EmulatorEndpoint, RequestLog, type RequestLogEntry } from './request-log.js';
import { adminRoute } from './routes/admin.js';
import { CONSENT_PATH, consentRoute } from './routes/consent.js';
import type { RouteDeps, RouteHandler } from './routes/route.js';
import { routeTable } from './routes/table.js';
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
  /**
   * Many accounts besides the emulator's own, each chosen by its refresh token, with books
   * generated on first use and people shared between them: see {@link FleetOptions} and
   * `emulator.fleet`.
   */
  fleet?: FleetOptions;
  /** Per-user and per-project read quotas answering Google's 429 (default none): see {@link QuotaOptions}. */
  quotas?: QuotaOptions;
  /** A wait before every API and token request is served (default none): see {@link LatencyOption}. */
  latencyMs?: LatencyOption;
  /** How many recent requests `admin.requests()` keeps (default 10,000; counts are always exact). */
  requestLogLimit?: number;
  /** Called with every request as it is logged (a benchmark's complete record, past `requestLogLimit`). */
  onRequest?: (entry: RequestLogEntry) => void;
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
  /** The fleet's accounts, credentials and books; undefined without the `fleet` option. */
  readonly fleet: FleetAdmin | undefined;
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

function faultContext(
  endpoint: EmulatorEndpoint,
  params: URLSearchParams,
  holder: TokenHolder | undefined,
): FaultContext {
  const has = (camel: string, snake: string) => Boolean(params.get(camel) || params.get(snake));
  const withSyncToken = has('syncToken', 'sync_token');
  const withPageToken = has('pageToken', 'page_token');
  const wantsToken = (params.get('requestSyncToken') ?? params.get('request_sync_token')) === 'true';
  return {
    endpoint,
    ...(holder?.account === undefined ? {} : { account: holder.account }),
    ...(holder === undefined ? {} : { client: holder.client }),
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

/** The endpoints Google counts as read requests against its quotas. */
const READ_ENDPOINTS: ReadonlySet<EmulatorEndpoint> = new Set([
  'connections',
  'otherContacts',
  'contactGroups',
]);

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
  const plan = options.fleet ? fleetPlan(seed, options.fleet) : undefined;
  const quotas = new QuotaLedger(options.quotas ?? {}, clock);
  const latency = latencyOf(options.latencyMs, seed);
  const logLimit = options.requestLogLimit ?? 10_000;
  if (!Number.isSafeInteger(logLimit) || logLimit < 1) {
    throw new EmulatorError(
      'INVALID_OPTIONS',
      `requestLogLimit must be a positive integer; got ${logLimit}.`,
    );
  }
  const store = new EmulatorStore(clock, new Prng(seed * 4 + 5));
  const book =
    options.book ??
    generateAddressBook({
      seed,
      people: options.people ?? 0,
      ...(options.otherContacts === undefined ? {} : { otherContacts: options.otherContacts }),
    });
  store.load(book);

  const fleetAuth: FleetAuth | undefined = plan && {
    client: (index) => (index >= 1 && index < plan.clients ? fleetClient(seed, index) : undefined),
    accountOf: (refreshToken) => accountOfRefreshToken(seed, plan.accounts, refreshToken),
    clientOf: (account) => account % plan.clients,
  };
  const auth = new OAuthState(
    seed,
    { ...defaultCredentials(seed), ...options.credentials },
    options.scopes ?? DEFAULT_SCOPES,
    tokenTtlSeconds,
    clock,
    fleetAuth,
  );
  const faults = new FaultQueue();
  const log = new RequestLog(logLimit, options.onRequest);
  const admin = createAdmin({ store, clock, auth, faults, log });
  const consent = new ConsentFlow(clock);
  const runId = randomBytes(6).toString('hex');
  const tokenSecret = randomBytes(32);
  const deps: RouteDeps = {
    store,
    clock,
    auth,
    consent,
    syncTokenTtlMs,
    codec: new TokenCodec(runId, tokenSecret),
  };
  const routes = routeTable(deps);
  // A fleet account's store, routes and admin. Its tokens carry its own instance id, so a page or
  // sync token of one account is refused by another (as Google binds them to the user).
  const openAccount = (index: number, client: number, generated: FleetBook): FleetAccount => {
    const accountStore = new EmulatorStore(clock, new Prng(derivedSeed(seed, 'ids', index)));
    accountStore.load(generated.book);
    const codec = new TokenCodec(`${runId}a${index.toString(36)}`, tokenSecret);
    return {
      index,
      client,
      store: accountStore,
      routes: routeTable({ ...deps, store: accountStore, codec }),
      admin: createAdmin({ store: accountStore, clock, auth, faults, log }),
      shared: generated.shared,
    };
  };
  const accounts = plan && new FleetAccounts(plan, openAccount);
  const fleet = accounts && createFleetAdmin(accounts, auth, auth.credentials);
  const projectNumbers = new Map<number, string>();
  const projectOf = (client: number): string => {
    const known = projectNumbers.get(client);
    if (known !== undefined) return known;
    const number = projectNumber(seed, client);
    projectNumbers.set(client, number);
    return number;
  };
  const admins = adminRoute(admin, accounts && fleet && { accounts, fleet });
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
    // Who the request acts for (a fleet account, or the emulator's own); no valid token, no one:
    // the route answers its 401 as before.
    const holder =
      endpoint === 'token'
        ? undefined
        : auth.holderOf(bearerOf(req.headers.authorization, url.searchParams.get('access_token')));
    let status = 500;
    let faultKind: FaultKind | undefined;
    let quotaScope: 'user' | 'project' | undefined;
    let bytesSent: number | undefined;
    const stream = { intervalMs: 0, sleep, shutdown: shutdown.signal };
    try {
      if (latency) await sleep(latency(), shutdown.signal);
      const account = holder?.account === undefined ? undefined : accounts?.get(holder.account);
      const fault = faults.take(faultContext(endpoint, url.searchParams, holder));
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
      if (holder && quotas.enabled && READ_ENDPOINTS.has(endpoint)) {
        const user = holder.account === undefined ? 'own' : `a${holder.account}`;
        const refusal = quotas.spend(user, `c${holder.client}`);
        if (refusal) {
          status = 429;
          quotaScope = refusal.scope;
          const body = googleErrors.quotaExceeded(
            refusal.scope,
            projectOf(holder.client),
            refusal.limitPerMinute,
          );
          return sendJson(res, 429, body);
        }
      }
      const result = await ((account?.routes ?? routes)[key] as RouteHandler)(req, url, {
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
        ...(holder?.account === undefined ? {} : { account: holder.account }),
        ...(quotaScope ? { quota: quotaScope } : {}),
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
    fleet,
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
