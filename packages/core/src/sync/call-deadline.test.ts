import { describe, expect, it } from 'vitest';
import { CoreError } from '../errors.js';
import { ProviderError } from '../provider/provider-error.js';
import { callDeadlineMs, callWithDeadline, formatDuration } from './call-deadline.js';
import { HandTimers } from './hand-timers.test-support.js';

describe('callWithDeadline (issue 11, defect 1: a watchdog per call that any provider gets)', () => {
  it('fails a call that never settles at its deadline, aborts its signal, and drops a late answer', async () => {
    const timers = new HandTimers();
    let seen: AbortSignal | undefined;
    let answer!: (value: string) => void;
    const result = callWithDeadline({
      provider: 'google',
      what: 'listGroups',
      deadlineMs: 300_000,
      timers,
      // Ignores its signal: the watchdog must not need its cooperation.
      run: (signal) => {
        seen = signal;
        return new Promise<string>((resolve) => {
          answer = resolve;
        });
      },
    });
    await timers.whenWaiting();
    expect(timers.waiting).toEqual([300_000]);
    timers.fireAll();
    const error = await result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: 'TEMPORARY', provider: 'google' });
    expect((error as Error).message).toBe(
      "The google provider did not finish listGroups within 5 min (the sync's deadline for one call): the sync stopped waiting for it and tries again later.",
    );
    expect(seen?.aborted).toBe(true);
    expect(seen?.reason).toBe(error);
    answer('too late'); // nothing happens: no unhandled rejection, no second settlement
  });

  it('passes an answer or a failure through and clears its timer', async () => {
    const timers = new HandTimers();
    const run = (value: Promise<string>) =>
      callWithDeadline({ provider: 'memory', what: 'x', deadlineMs: 10, timers, run: () => value });
    await expect(run(Promise.resolve('ok'))).resolves.toBe('ok');
    await expect(run(Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(timers.waiting).toEqual([]);
  });

  it("forwards the cycle's abort to the call", async () => {
    const cycle = new AbortController();
    let seen: AbortSignal | undefined;
    const result = callWithDeadline({
      provider: 'memory',
      what: 'fullSync (page 1)',
      deadlineMs: 1000,
      timers: new HandTimers(),
      signal: cycle.signal,
      run: (signal) => {
        seen = signal;
        return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
      },
    });
    cycle.abort(new Error('stopping'));
    await expect(result).rejects.toThrow('stopping');
    expect(seen?.aborted).toBe(true);
  });

  it('defaults the deadline to half the lease and refuses one not shorter than the lease', () => {
    expect(callDeadlineMs(undefined, 600_000)).toBe(300_000);
    expect(callDeadlineMs(1000, 600_000)).toBe(1000);
    for (const bad of [600_000, 700_000, 0, -1, Number.NaN]) {
      expect(() => callDeadlineMs(bad, 600_000)).toThrow(CoreError);
    }
    expect(formatDuration(800)).toBe('800 ms');
    expect(formatDuration(1500)).toBe('1.5 s');
  });
});
