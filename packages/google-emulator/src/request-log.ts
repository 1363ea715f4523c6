import type { FaultKind } from './faults.js';

/**
 * The endpoints the emulator counts requests of. `other` is anything else outside `/__admin`.
 *
 * @example
 * ```ts
 * emulator.admin.requestCount('token'); // refreshes so far
 * ```
 */
export type EmulatorEndpoint = 'connections' | 'otherContacts' | 'contactGroups' | 'token' | 'other';

/**
 * One served request. `at` is the emulator clock; `durationMs` is wall time spent serving it.
 *
 * @example
 * ```ts
 * const last: RequestLogEntry | undefined = emulator.admin.requests('connections').at(-1);
 * last?.query; // 'personFields=names&pageSize=1000'
 * ```
 */
export interface RequestLogEntry {
  at: number;
  method: string;
  endpoint: EmulatorEndpoint;
  path: string;
  query: string;
  /** The HTTP status answered; 0 when none was (a `hang` fault, logged once the client gave up). */
  status: number;
  durationMs: number;
  fault?: FaultKind;
  /** Body bytes handed to the connection by a streamed fault (`drip`, `endlessBody`, `hugeBody`). */
  bytesSent?: number;
  /** The fleet account whose access token the request carried (none: the emulator's own, or no valid token). */
  account?: number;
  /** The quota that refused the request (a 429 of the `quotas` option). */
  quota?: 'user' | 'project';
}

// Counts are exact forever; the detailed log keeps the most recent entries only (10,000 unless
// told otherwise), so a long benchmark does not grow memory without bound.
const LOG_LIMIT = 10_000;

/** Request counts and a bounded log, per endpoint. */
export class RequestLog {
  private log: RequestLogEntry[] = [];
  private counts = new Map<EmulatorEndpoint, number>();

  constructor(
    private readonly limit = LOG_LIMIT,
    private readonly onRecord?: (entry: RequestLogEntry) => void,
  ) {}

  record(entry: RequestLogEntry): void {
    this.counts.set(entry.endpoint, (this.counts.get(entry.endpoint) ?? 0) + 1);
    this.log.push(entry);
    // Trimmed in batches: splicing one entry off a long log per request is quadratic.
    if (this.log.length > this.limit + Math.max(1, this.limit >> 3))
      this.log.splice(0, this.log.length - this.limit);
    this.onRecord?.(entry);
  }

  count(endpoint?: EmulatorEndpoint): number {
    if (endpoint) return this.counts.get(endpoint) ?? 0;
    let total = 0;
    for (const n of this.counts.values()) total += n;
    return total;
  }

  countsByEndpoint(): Record<EmulatorEndpoint, number> {
    return {
      connections: this.count('connections'),
      otherContacts: this.count('otherContacts'),
      contactGroups: this.count('contactGroups'),
      token: this.count('token'),
      other: this.count('other'),
    };
  }

  entries(endpoint?: EmulatorEndpoint): RequestLogEntry[] {
    const kept = this.log.length > this.limit ? this.log.slice(-this.limit) : this.log;
    return endpoint ? kept.filter((entry) => entry.endpoint === endpoint) : [...kept];
  }

  reset(): void {
    this.log = [];
    this.counts = new Map();
  }
}
