import { EmulatorError, type GoogleErrorBody, googleErrors } from './errors.js';
import type { EmulatorEndpoint } from './request-log.js';

/**
 * A failure the emulator can be told to answer with, instead of (or, for `slow`, before) the
 * normal response:
 * - `rateLimit`: 429 RESOURCE_EXHAUSTED, ErrorInfo reason RATE_LIMIT_EXCEEDED, `Retry-After` header
 *   (`retryAfterSeconds`, default 1);
 * - `serverError`: 500 INTERNAL or 503 UNAVAILABLE (`status`, default 500) in Google's error shape;
 * - `slow`: waits `delayMs` (through the emulator's `sleep`, a real timer unless injected), then answers normally;
 * - `malformed`: HTTP 200 with a truncated, invalid JSON body;
 * - `expiredSyncToken`: the current 400 FAILED_PRECONDITION / EXPIRED_SYNC_TOKEN body;
 * - `syncTokenGone`: the older 410 GONE form.
 *
 * @example
 * ```ts
 * const fault: Fault = { kind: 'rateLimit', retryAfterSeconds: 30 };
 * ```
 */
export type Fault =
  | { kind: 'rateLimit'; retryAfterSeconds?: number }
  | { kind: 'serverError'; status?: 500 | 503 }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'malformed' }
  | { kind: 'expiredSyncToken' }
  | { kind: 'syncTokenGone' };

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
 * per-user limit) or `withSyncToken` (incremental calls).
 *
 * @example
 * ```ts
 * emulator.admin.injectFault({ kind: 'expiredSyncToken', when: 'withSyncToken' });
 * ```
 */
export type FaultWhen = 'always' | 'fullSyncFirstPage' | 'withSyncToken';

/**
 * What `admin.injectFault` takes: a {@link Fault} plus which requests it hits and how many times.
 *
 * @example
 * ```ts
 * emulator.admin.injectFault({ kind: 'serverError', status: 503, endpoint: 'connections', times: 2 });
 * emulator.admin.injectFault({ kind: 'rateLimit', endpoint: 'connections', when: 'fullSyncFirstPage' });
 * ```
 */
export type FaultOptions = Fault & {
  /** Default `any`. */
  endpoint?: FaultEndpoint;
  /** How many matching requests get the fault (default 1). */
  times?: number;
  /** Default `always`. */
  when?: FaultWhen;
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
  remaining: number;
}

/** What a request looks like, for matching faults against it. */
export interface FaultContext {
  endpoint: EmulatorEndpoint;
  fullSyncFirstPage: boolean;
  withSyncToken: boolean;
}

function checkFault(options: FaultOptions): Fault {
  const fail = (why: string): never => {
    throw new EmulatorError('INVALID_INPUT', `Invalid fault ${JSON.stringify(options)}: ${why}.`);
  };
  const times = options.times ?? 1;
  if (!Number.isSafeInteger(times) || times < 1) fail('times must be a positive integer');
  switch (options.kind) {
    case 'rateLimit': {
      const seconds = options.retryAfterSeconds ?? 1;
      if (!Number.isSafeInteger(seconds) || seconds < 0)
        fail('retryAfterSeconds must be a non-negative integer');
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
    case 'malformed':
    case 'expiredSyncToken':
    case 'syncTokenGone':
      return { kind: options.kind };
    default:
      return fail('unknown kind');
  }
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
      remaining: options.times ?? 1,
    };
    this.pending.push(entry);
    return { ...entry };
  }

  /** Consumes one use of the first fault matching the request, if any. */
  take(context: FaultContext): Fault | undefined {
    const index = this.pending.findIndex(
      (entry) =>
        (entry.endpoint === 'any' ? context.endpoint !== 'other' : entry.endpoint === context.endpoint) &&
        (entry.when === 'always' ||
          (entry.when === 'fullSyncFirstPage' && context.fullSyncFirstPage) ||
          (entry.when === 'withSyncToken' && context.withSyncToken)),
    );
    const entry = this.pending[index];
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining === 0) this.pending.splice(index, 1);
    return entry.fault;
  }

  list(): PendingFault[] {
    return this.pending.map((entry) => ({ ...entry }));
  }

  clear(): void {
    this.pending = [];
  }
}

/** The HTTP answer of a fault (every kind but `slow`). */
export function faultResponse(fault: Exclude<Fault, { kind: 'slow' }>): {
  status: number;
  body: GoogleErrorBody | string;
  headers: Record<string, string>;
} {
  switch (fault.kind) {
    case 'rateLimit':
      return {
        status: 429,
        body: googleErrors.rateLimited(),
        headers: { 'retry-after': String(fault.retryAfterSeconds ?? 1) },
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
  }
}
