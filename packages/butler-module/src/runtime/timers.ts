/**
 * The timer pair the runtime schedules with, injected so tests drive time by hand.
 *
 * @example
 * ```ts
 * const timers: Timers = { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) };
 * ```
 */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * Node's timers, unref'd: a waiting poller never keeps a process alive on its own (a host's server
 * or the stdio transport does). Looked up at call time, so fake timers installed later still apply.
 *
 * @example
 * ```ts
 * new ContactsSyncRuntime({ ...options, timers: systemTimers });
 * ```
 */
export const systemTimers: Timers = {
  setTimeout(callback, ms) {
    const handle = globalThis.setTimeout(callback, ms);
    handle.unref?.();
    return handle;
  },
  clearTimeout(handle) {
    globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>);
  },
};
