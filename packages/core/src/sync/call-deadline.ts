import { CoreError } from '../errors.js';
import { ProviderError } from '../provider/provider-error.js';

/**
 * The timer pair the cycle's watchdog uses, injected so tests drive time by hand.
 *
 * @example
 * ```ts
 * const timers: CycleTimers = { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) };
 * await runSyncCycle({ ...options, timers });
 * ```
 */
export interface CycleTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * Node's timers, referenced: a deadline must fire even when nothing else keeps the process alive
 * (a provider that hangs on a socket it unref'd would otherwise end the process mid-sync).
 */
export const systemCycleTimers: CycleTimers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
};

/** `ms` as a person reads it: `800 ms`, `1.5 s`, `5 min`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 120_000) return `${Number((ms / 1000).toFixed(1))} s`;
  return `${Number((ms / 60_000).toFixed(1))} min`;
}

/**
 * The deadline of one provider call: the option when given, else half the lease TTL, so a call
 * that hangs fails while the lease still holds and the page that follows has time to commit.
 *
 * @throws CoreError `INVALID_CONFIG` when the option is not a positive duration shorter than the TTL.
 */
export function callDeadlineMs(option: number | undefined, lockTtlMs: number): number {
  if (option === undefined) return Math.max(1, Math.floor(lockTtlMs / 2));
  if (!Number.isFinite(option) || option <= 0 || option >= lockTtlMs) {
    throw new CoreError(
      'INVALID_CONFIG',
      `callDeadlineMs must be a positive number of milliseconds shorter than the lease TTL (lockTtlMs ${lockTtlMs}), or the lease could lapse while a call hangs; got ${option}.`,
    );
  }
  return option;
}

/**
 * What {@link callWithDeadline} runs.
 *
 * @example
 * ```ts
 * const call: DeadlineCall<CanonicalGroup[]> = { provider: 'google', what: 'listGroups', deadlineMs: 300_000, run: (signal) => provider.listGroups(signal) };
 * ```
 */
export interface DeadlineCall<T> {
  provider: string;
  /** The call, as the error names it (`listGroups`, `fullSync page 3`). */
  what: string;
  deadlineMs: number;
  run: (signal: AbortSignal) => Promise<T>;
  /** The cycle's signal: aborting it aborts the call too. */
  signal?: AbortSignal;
  timers?: CycleTimers;
}

/**
 * Runs one provider call under its own deadline: at the deadline the call's signal is aborted and
 * the returned promise rejects at once, even when the provider ignores the signal (its late
 * answer, or failure, is dropped). A watchdog every provider inherits, whatever its HTTP does.
 *
 * @throws ProviderError `TEMPORARY` naming the call and the deadline; whatever the call throws.
 * @example
 * ```ts
 * const groups = await callWithDeadline({ provider: 'google', what: 'listGroups', deadlineMs: 300_000, run: (s) => provider.listGroups(s) });
 * ```
 */
export function callWithDeadline<T>(call: DeadlineCall<T>): Promise<T> {
  const { provider, what, deadlineMs, signal } = call;
  const timers = call.timers ?? systemCycleTimers;
  const controller = new AbortController();
  const forward = () => controller.abort(signal?.reason);
  if (signal?.aborted) forward();
  else signal?.addEventListener('abort', forward, { once: true });
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const settle = () => {
      settled = true;
      timers.clearTimeout(timer);
      signal?.removeEventListener('abort', forward);
    };
    const timer = timers.setTimeout(() => {
      if (settled) return;
      settle();
      const error = new ProviderError(
        'TEMPORARY',
        `The ${provider} provider did not finish ${what} within ${formatDuration(deadlineMs)} (the sync's deadline for one call): the sync stopped waiting for it and tries again later.`,
        { provider },
      );
      controller.abort(error);
      reject(error);
    }, deadlineMs);
    let pending: Promise<T>;
    try {
      pending = Promise.resolve(call.run(controller.signal));
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      (value) => {
        if (settled) return;
        settle();
        resolve(value);
      },
      (error: unknown) => {
        if (settled) return;
        settle();
        reject(error);
      },
    );
  });
}
