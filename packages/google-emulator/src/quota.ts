import type { Clock } from './clock.js';
import { EmulatorError } from './errors.js';

/**
 * Per-minute read quotas the emulator enforces, as Google's People API does: every list request
 * (`connections`, `otherContacts`, `contactGroups`; not `/token`) spends one unit of its user's
 * quota and one of its project's (the OAuth client its access token was issued to). An exhausted
 * quota answers 429 RESOURCE_EXHAUSTED with Google's body (`googleErrors.quotaExceeded`) and no
 * `Retry-After`; a refused request spends nothing. Each quota refills continuously at its limit
 * per minute of the emulator clock, up to the limit (a token bucket): `admin.advanceClock(60_000)`
 * refills it completely. Unset: no limit.
 *
 * @example
 * ```ts
 * const quotas: QuotaOptions = { readRequestsPerMinutePerUser: 90, readRequestsPerMinutePerProject: 600 };
 * const emulator = await startGoogleEmulator({ quotas, fleet: { accounts: 100 } });
 * ```
 */
export interface QuotaOptions {
  /** Read requests a minute for one account (Google's `ReadRequestsPerMinutePerUser`; 90 to 180 are reported). */
  readRequestsPerMinutePerUser?: number;
  /** Read requests a minute for all accounts of one OAuth client together (`ReadRequestsPerMinutePerProject`). */
  readRequestsPerMinutePerProject?: number;
}

const MINUTE_MS = 60_000;

interface Bucket {
  tokens: number;
  at: number;
}

/** Token buckets per key; a key's bucket starts full. */
class Buckets {
  private readonly buckets = new Map<string, Bucket>();
  constructor(readonly limit: number) {}

  /** Refills `key`'s bucket up to `now`; true when it holds a whole unit. */
  available(key: string, now: number): boolean {
    const bucket = this.buckets.get(key);
    if (!bucket) return this.limit >= 1;
    bucket.tokens = Math.min(this.limit, bucket.tokens + ((now - bucket.at) * this.limit) / MINUTE_MS);
    bucket.at = now;
    return bucket.tokens >= 1;
  }

  spend(key: string, now: number): void {
    const bucket = this.buckets.get(key);
    if (bucket) bucket.tokens -= 1;
    else this.buckets.set(key, { tokens: this.limit - 1, at: now });
  }
}

function limit(name: string, value: number | undefined): Buckets | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new EmulatorError('INVALID_OPTIONS', `quotas.${name} must be a positive integer; got ${value}.`);
  }
  return new Buckets(value);
}

/** Which quota refused a request, and its limit (for the 429 body). */
export interface QuotaRefusal {
  scope: 'user' | 'project';
  limitPerMinute: number;
}

/** The quotas of one emulator: a bucket per user and per project, created on first use. */
export class QuotaLedger {
  private readonly perUser: Buckets | undefined;
  private readonly perProject: Buckets | undefined;

  constructor(
    options: QuotaOptions,
    private readonly clock: Clock,
  ) {
    this.perUser = limit('readRequestsPerMinutePerUser', options.readRequestsPerMinutePerUser);
    this.perProject = limit('readRequestsPerMinutePerProject', options.readRequestsPerMinutePerProject);
  }

  get enabled(): boolean {
    return this.perUser !== undefined || this.perProject !== undefined;
  }

  /**
   * Spends one read of `user` and of `project`, or none when either is exhausted; returns the
   * refusal then. The project's quota is checked first: when it is exhausted, every user of the
   * project is refused with the project's limit, whatever their own quota holds.
   */
  spend(user: string, project: string): QuotaRefusal | undefined {
    const now = this.clock.now();
    if (this.perProject && !this.perProject.available(project, now)) {
      return { scope: 'project', limitPerMinute: this.perProject.limit };
    }
    if (this.perUser && !this.perUser.available(user, now)) {
      return { scope: 'user', limitPerMinute: this.perUser.limit };
    }
    this.perProject?.spend(project, now);
    this.perUser?.spend(user, now);
    return undefined;
  }
}
