import { EmulatorError, type GoogleErrorBody, googleErrors } from './errors.js';
import type { EmulatorEndpoint } from './request-log.js';

// Google's generic INVALID_ARGUMENT text: what a page token that stopped working gets, with no
// hint in it that the page token is to blame (clients must not depend on one).
const INVALID_ARGUMENT_MESSAGE = 'Request contains an invalid argument.';

/**
 * A failure the emulator can be told to answer with, instead of (or, for `slow`, before) the
 * normal response:
 * - `rateLimit`: 429 RESOURCE_EXHAUSTED, ErrorInfo reason RATE_LIMIT_EXCEEDED, `Retry-After` header
 *   (`retryAfterSeconds`, default 1; `null` sends no header, as Google often does);
 * - `serverError`: 500 INTERNAL or 503 UNAVAILABLE (`status`, default 500) in Google's error shape;
 * - `slow`: waits `delayMs` (through the emulator's `sleep`, a real timer unless injected), then answers normally;
 * - `malformed`: HTTP 200 with a truncated, invalid JSON body;
 * - `expiredSyncToken`: the current 400 FAILED_PRECONDITION / EXPIRED_SYNC_TOKEN body;
 * - `syncTokenGone`: the older 410 GONE form;
 * - `echoRequest`: a server (or a proxy in front of it) that quotes the whole request back in its
 *   error: the request line, every header (the bearer token) and the body (a token request's
 *   client secret and refresh token, form-encoded). `status` 400 (default: an OAuth
 *   `invalid_request` body on the token endpoint, Google's error shape elsewhere), 401 (OAuth
 *   `invalid_client`, or UNAUTHENTICATED) or 500 (a plain text body). Real servers should not do
 *   this; clients must keep the quoted secrets out of what they log and store, and this fault is
 *   how tests check that;
 * - `hang`: never answers: the request is held until the client gives up (its timeout closes the
 *   connection) or the emulator closes; logged with status 0;
 * - `invalidPageToken`: 400 INVALID_ARGUMENT with Google's generic message, as for a page token
 *   that stopped working mid-listing; it only strikes requests that carry a `pageToken`;
 * - `drip`: HTTP 200 headers at once, then one byte (a space) every `intervalMs` (through the
 *   emulator's `sleep`), never ending: a client whose timer restarts on every chunk never stops;
 * - `endlessBody`: HTTP 200, then `chunkBytes` (default 64 KiB) of spaces after another as fast
 *   as the client reads them, never ending;
 * - `hugeBody`: the normal answer, preceded by as many spaces (valid JSON whitespace) as make the
 *   body `bytes` long, with a `Content-Length` unless `contentLength` is false (then chunked: only
 *   a client that counts what it reads can stop it).
 *
 * The three streamed faults stop writing when the client closes the connection (or the emulator
 * closes) and log how many body bytes they wrote (`bytesSent`).
 *
 * Paging gone wrong, for clients that must stop a listing that never ends (they strike list
 * endpoints only):
 * - `repeatPageToken`: the normal page, whose `nextPageToken` is the very token the request
 *   carried: the listing never advances (A, A). Only requests that carry a `pageToken`;
 * - `cyclePageToken`: the normal page, whose `nextPageToken` is the token the endpoint's previous
 *   request carried: with `after: 1, when: 'withPageToken'`, a listing goes A, B, A. Only requests
 *   that carry a `pageToken`;
 * - `endlessPages`: a page of people (or groups) never served before, `pageSize` of them (the
 *   request's), and a fresh `nextPageToken` (which only this fault answers): pages that never end;
 * - `emptyListing`: a full listing's answer as if the account had nobody: no people, no next page,
 *   and a valid `nextSyncToken` for the current state (Google forgetting an account for a moment).
 *   Only `connections` and `otherContacts` requests without a `syncToken`.
 *
 * @example
 * ```ts
 * const fault: Fault = { kind: 'rateLimit', retryAfterSeconds: 30 };
 * ```
 */
export type Fault =
  | { kind: 'rateLimit'; retryAfterSeconds?: number | null }
  | { kind: 'serverError'; status?: 500 | 503 }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'malformed' }
  | { kind: 'expiredSyncToken' }
  | { kind: 'syncTokenGone' }
  | { kind: 'echoRequest'; status?: 400 | 401 | 500 }
  | { kind: 'hang' }
  | { kind: 'invalidPageToken' }
  | { kind: 'drip'; intervalMs: number }
  | { kind: 'endlessBody'; chunkBytes?: number }
  | { kind: 'hugeBody'; bytes: number; contentLength?: boolean }
  | { kind: 'repeatPageToken' }
  | { kind: 'cyclePageToken' }
  | { kind: 'endlessPages' }
  | { kind: 'emptyListing' };

/**
 * The kinds of {@link Fault}.
 *
 * @example
 * ```ts
 * const kind: FaultKind = 'syncTokenGone';
 * ```
 */
export type FaultKind = Fault['kind'];

/**
 * Which requests a fault applies to: one endpoint, or `any` (every API and token request).
 *
 * @example
 * ```ts
 * emulator.admin.injectFault({ kind: 'serverError', endpoint: 'token' });
 * ```
 */
export type FaultEndpoint = Exclude<EmulatorEndpoint, 'other'> | 'any';

/**
 * Narrows a fault to some requests of its endpoint: `fullSyncFirstPage` (a list call with
 * `requestSyncToken=true` and neither `pageToken` nor `syncToken`: where Google puts its extra
 * per-user limit), `withSyncToken` (incremental calls) or `withPageToken` (any page but a
 * listing's first).
 *
 * @example
 * ```ts
 * emulator.admin.injectFault({ kind: 'expiredSyncToken', when: 'withSyncToken' });
 * ```
 */
export type FaultWhen = 'always' | 'fullSyncFirstPage' | 'withSyncToken' | 'withPageToken';

/**
 * What `admin.injectFault` takes: a {@link Fault} plus which requests it hits and how many times.
 *
 * @example
 * ```ts
 * emulator.admin.injectFault({ kind: 'serverError', status: 503, endpoint: 'connections', times: 2 });
 * emulator.admin.injectFault({ kind: 'rateLimit', endpoint: 'connections', when: 'fullSyncFirstPage' });
 * // The third page of the next listing (two matching requests go through first) and its retries:
 * emulator.admin.injectFault({ kind: 'serverError', endpoint: 'connections', after: 2, times: 50 });
 * ```
 */
export type FaultOptions = Fault & {
  /** Default `any`. */
  endpoint?: FaultEndpoint;
  /** How many matching requests get the fault (default 1). */
  times?: number;
  /** Default `always`. */
  when?: FaultWhen;
  /** How many matching requests go through untouched before the fault strikes (default 0): mid-listing faults. */
  after?: number;
  /**
   * Only API requests of this fleet account (by its access token; never `/token` requests, whose
   * account is not known before the grant): one account's trouble among many.
   */
  account?: number;
  /** Only API requests of this OAuth client's accounts (fleet client index; 0 is the emulator's own): one upstream's storm. */
  client?: number;
};

/**
 * A queued fault and how many more requests it will hit.
 *
 * @example
 * ```ts
 * const pending: PendingFault = emulator.admin.injectFault({ kind: 'malformed', times: 3 });
 * pending.remaining; // 3
 * ```
 */
export interface PendingFault {
  id: string;
  fault: Fault;
  endpoint: FaultEndpoint;
  when: FaultWhen;
  /** Matching requests still to let through before it strikes. */
  after: number;
  remaining: number;
  account?: number;
  client?: number;
}

/** What a request looks like, for matching faults against it. */
export interface FaultContext {
  endpoint: EmulatorEndpoint;
  /** The fleet account and client of the request's access token, when it has a valid one. */
  account?: number;
  client?: number;
  fullSyncFirstPage: boolean;
  withSyncToken: boolean;
  withPageToken: boolean;
}

function checkFault(options: FaultOptions): Fault {
  const fail = (why: string): never => {
    throw new EmulatorError('INVALID_INPUT', `Invalid fault ${JSON.stringify(options)}: ${why}.`);
  };
  const times = options.times ?? 1;
  if (!Number.isSafeInteger(times) || times < 1) fail('times must be a positive integer');
  const after = options.after ?? 0;
  if (!Number.isSafeInteger(after) || after < 0) fail('after must be a non-negative integer');
  for (const key of ['account', 'client'] as const) {
    const value = options[key];
    if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) {
      fail(`${key} must be a non-negative integer`);
    }
  }
  switch (options.kind) {
    case 'rateLimit': {
      if (options.retryAfterSeconds === null) return { kind: 'rateLimit', retryAfterSeconds: null };
      const seconds = options.retryAfterSeconds ?? 1;
      if (!Number.isSafeInteger(seconds) || seconds < 0)
        fail('retryAfterSeconds must be a non-negative integer or null');
      return { kind: 'rateLimit', retryAfterSeconds: seconds };
    }
    case 'serverError': {
      const status = options.status ?? 500;
      if (status !== 500 && status !== 503) fail('status must be 500 or 503');
      return { kind: 'serverError', status };
    }
    case 'slow':
      if (!Number.isFinite(options.delayMs) || options.delayMs < 0)
        fail('delayMs must be a non-negative number');
      return { kind: 'slow', delayMs: options.delayMs };
    case 'drip':
      if (!Number.isFinite(options.intervalMs) || options.intervalMs < 0)
        fail('intervalMs must be a non-negative number');
      return { kind: 'drip', intervalMs: options.intervalMs };
    case 'endlessBody': {
      const chunkBytes = options.chunkBytes ?? 64 * 1024;
      if (!Number.isSafeInteger(chunkBytes) || chunkBytes < 1 || chunkBytes > 16 * 1024 * 1024)
        fail('chunkBytes must be a whole number from 1 to 16 MiB');
      return { kind: 'endlessBody', chunkBytes };
    }
    case 'hugeBody':
      if (!Number.isSafeInteger(options.bytes) || options.bytes < 1) fail('bytes must be a positive integer');
      return { kind: 'hugeBody', bytes: options.bytes, contentLength: options.contentLength ?? true };
    case 'hang':
    case 'malformed':
    case 'expiredSyncToken':
    case 'syncTokenGone':
    case 'invalidPageToken':
    case 'repeatPageToken':
    case 'cyclePageToken':
    case 'endlessPages':
    case 'emptyListing':
      return { kind: options.kind };
    case 'echoRequest': {
      const status = options.status ?? 400;
      if (status !== 400 && status !== 401 && status !== 500) fail('status must be 400, 401 or 500');
      return { kind: 'echoRequest', status };
    }
    default:
      return fail('unknown kind');
  }
}

function matches(entry: PendingFault, context: FaultContext): boolean {
  const endpoint =
    entry.endpoint === 'any' ? context.endpoint !== 'other' : entry.endpoint === context.endpoint;
  const when =
    entry.when === 'always' ||
    (entry.when === 'fullSyncFirstPage' && context.fullSyncFirstPage) ||
    (entry.when === 'withSyncToken' && context.withSyncToken) ||
    (entry.when === 'withPageToken' && context.withPageToken);
  const who =
    (entry.account === undefined || entry.account === context.account) &&
    (entry.client === undefined || entry.client === context.client);
  return endpoint && when && who && fits(entry.fault.kind, context);
}

/** Whether a fault of this kind can be answered to this request at all. */
function fits(kind: FaultKind, context: FaultContext): boolean {
  const list = context.endpoint !== 'token';
  switch (kind) {
    // A dead or repeated page token can only be answered to a request that sent one.
    case 'invalidPageToken':
      return context.withPageToken;
    case 'repeatPageToken':
    case 'cyclePageToken':
      return list && context.withPageToken;
    case 'endlessPages':
      return list;
    case 'emptyListing':
      return (
        (context.endpoint === 'connections' || context.endpoint === 'otherContacts') && !context.withSyncToken
      );
    default:
      return true;
  }
}

/** Faults whose answer is the route's own, changed: the request is served, then rewritten. */
export const PAGING_FAULTS: ReadonlySet<FaultKind> = new Set([
  'repeatPageToken',
  'cyclePageToken',
  'emptyListing',
]);

/**
 * A list answer with `nextPageToken` set to `token` (and no `nextSyncToken`, which only a last
 * page carries): a `repeatPageToken` or `cyclePageToken` fault.
 */
export function withNextPageToken(body: unknown, token: string): Record<string, unknown> {
  const data = (Buffer.isBuffer(body) ? JSON.parse(body.toString('utf8')) : structuredClone(body)) as Record<
    string,
    unknown
  >;
  data.nextPageToken = token;
  delete data.nextSyncToken;
  return data;
}

/**
 * The answer of an `endlessPages` fault: `size` items never served before (people of the
 * endpoint's kind, or groups), numbered from `first`, and a fresh `nextPageToken`.
 */
export function endlessPage(
  endpoint: EmulatorEndpoint,
  first: number,
  size: number,
): Record<string, unknown> {
  const ids = Array.from({ length: size }, (_, i) => first + i);
  const token = `endless-${first + size}`;
  if (endpoint === 'contactGroups') {
    const contactGroups = ids.map((n) => ({
      resourceName: `contactGroups/endless${n}`,
      etag: `endless-${n}`,
      groupType: 'USER_CONTACT_GROUP',
      name: `Endless ${n}`,
      formattedName: `Endless ${n}`,
    }));
    return { contactGroups, nextPageToken: token };
  }
  const kind = endpoint === 'otherContacts' ? 'otherContacts' : 'people';
  const people = ids.map((n) => ({
    resourceName: `${kind}/endless${n}`,
    etag: `%endless-${n}`,
    metadata: { sources: [{ type: kind === 'people' ? 'CONTACT' : 'OTHER_CONTACT', id: `endless${n}` }] },
    names: [{ displayName: `Endless ${n}`, givenName: 'Endless', familyName: String(n) }],
  }));
  return { [endpoint === 'otherContacts' ? 'otherContacts' : 'connections']: people, nextPageToken: token };
}

/** Faults waiting for requests, matched first-in first-out. */
export class FaultQueue {
  private pending: PendingFault[] = [];
  private nextId = 1;

  add(options: FaultOptions): PendingFault {
    const fault = checkFault(options);
    const entry: PendingFault = {
      id: `fault-${this.nextId++}`,
      fault,
      endpoint: options.endpoint ?? 'any',
      when: options.when ?? 'always',
      after: options.after ?? 0,
      remaining: options.times ?? 1,
      ...(options.account === undefined ? {} : { account: options.account }),
      ...(options.client === undefined ? {} : { client: options.client }),
    };
    this.pending.push(entry);
    return { ...entry };
  }

  /**
   * Consumes one use of the first fault matching the request, if any. Every matching fault still
   * waiting (`after` > 0) counts the request instead and lets it through.
   */
  take(context: FaultContext): Fault | undefined {
    let hit: PendingFault | undefined;
    for (const entry of this.pending) {
      if (!matches(entry, context)) continue;
      if (entry.after > 0) entry.after -= 1;
      else hit ??= entry;
    }
    if (!hit) return undefined;
    hit.remaining -= 1;
    if (hit.remaining === 0) this.pending.splice(this.pending.indexOf(hit), 1);
    return hit.fault;
  }

  list(): PendingFault[] {
    return this.pending.map((entry) => ({ ...entry }));
  }

  clear(): void {
    this.pending = [];
  }
}

/** The request an `echoRequest` fault quotes back. */
export interface EchoedRequest {
  endpoint: EmulatorEndpoint;
  method: string;
  /** Path and query, as the client sent them. */
  target: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** The HTTP answer of an `echoRequest` fault: the whole request quoted in the error. */
export function echoResponse(
  fault: Extract<Fault, { kind: 'echoRequest' }>,
  request: EchoedRequest,
): { status: number; body: unknown; headers: Record<string, string> } {
  const headerLines = Object.entries(request.headers).map(
    ([name, value]) => `${name}: ${Array.isArray(value) ? value.join(', ') : (value ?? '')}`,
  );
  const quoted = [`${request.method} ${request.target}`, ...headerLines, '', request.body].join('\n');
  if (fault.status === 500) {
    return {
      status: 500,
      body: `Internal error while handling the request:\n${quoted}`,
      headers: { 'content-type': 'text/plain; charset=UTF-8' },
    };
  }
  const unauthenticated = fault.status === 401;
  if (request.endpoint === 'token') {
    const [error, why] = unauthenticated
      ? ['invalid_client', 'Unauthorized request']
      : ['invalid_request', 'Could not process the request'];
    return {
      status: fault.status ?? 400,
      body: { error, error_description: `${why}: ${quoted}` },
      headers: {},
    };
  }
  const [status, why] = unauthenticated
    ? ['UNAUTHENTICATED', 'Request had invalid authentication credentials']
    : ['INVALID_ARGUMENT', 'Could not process the request'];
  const code = fault.status ?? 400;
  return { status: code, body: { error: { code, message: `${why}: ${quoted}`, status } }, headers: {} };
}

/** The faults answered by {@link faultResponse}: a status and a body, sent at once. */
export type ImmediateFault = Exclude<
  Fault,
  {
    kind:
      | 'slow'
      | 'hang'
      | 'echoRequest'
      | 'drip'
      | 'endlessBody'
      | 'hugeBody'
      | 'repeatPageToken'
      | 'cyclePageToken'
      | 'endlessPages'
      | 'emptyListing';
  }
>;

/** The HTTP answer of an {@link ImmediateFault}. */
export function faultResponse(fault: ImmediateFault): {
  status: number;
  body: GoogleErrorBody | string;
  headers: Record<string, string>;
} {
  switch (fault.kind) {
    case 'rateLimit':
      return {
        status: 429,
        body: googleErrors.rateLimited(),
        headers:
          fault.retryAfterSeconds === null ? {} : { 'retry-after': String(fault.retryAfterSeconds ?? 1) },
      };
    case 'serverError': {
      const body = fault.status === 503 ? googleErrors.unavailable() : googleErrors.internal();
      return { status: body.error.code, body, headers: {} };
    }
    case 'malformed':
      // Cut off mid-object, as a proxy dropping the connection would leave it.
      return { status: 200, body: '{"connections":[{"resourceName":"people/c1","etag":"%Eg', headers: {} };
    case 'expiredSyncToken':
      return { status: 400, body: googleErrors.expiredSyncToken(), headers: {} };
    case 'syncTokenGone':
      return { status: 410, body: googleErrors.syncTokenGone(), headers: {} };
    case 'invalidPageToken':
      return { status: 400, body: googleErrors.invalidArgument(INVALID_ARGUMENT_MESSAGE), headers: {} };
  }
}
