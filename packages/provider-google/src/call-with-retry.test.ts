import { type Clock, type LogFields, ProviderError } from '@contacts/core';
import { googleErrors } from '@contacts/google-emulator';
import { describe, expect, it } from 'vitest';
import { callWithRetry, type RetryPolicy, type RetryRuntime } from './call-with-retry.js';

function httpError(status: number, headers: Record<string, string> = {}) {
  return Object.assign(new Error(`HTTP ${status}`), {
    config: {},
    response: {
      status,
      data: { error: { code: status, message: `status ${status}` } },
      headers: new Headers(headers),
    },
  });
}

/** A clock that the fake sleep moves forward, and a record of every wait. */
function fakeRuntime(random = 0.5) {
  let now = Date.parse('2026-03-01T12:00:00Z');
  const waits: number[] = [];
  const logs: LogFields[] = [];
  const clock: Clock = { now: () => new Date(now) };
  const runtime: RetryRuntime = {
    clock,
    random: () => random,
    sleep: async (ms) => {
      waits.push(ms);
      now += ms;
    },
    logger: { debug() {}, info() {}, error() {}, warn: (_m, fields) => logs.push(fields ?? {}) },
  };
  return { runtime, waits, logs };
}

const policy: RetryPolicy = { maxAttempts: 6, baseDelayMs: 500, maxDelayMs: 60_000 };
const call = { operation: 'people.connections.list', usedSyncToken: false, redact: (t: string) => t };

/** Fails with the given errors in turn, then succeeds. */
function failing(...errors: unknown[]) {
  let calls = 0;
  const attempt = async () => {
    const error = errors[calls];
    calls += 1;
    if (error) throw error;
    return 'ok';
  };
  return { attempt, calls: () => calls };
}

describe('callWithRetry (defect 5: no backoff on 429/5xx)', () => {
  it('backs off with full jitter, doubling the ceiling each retry', async () => {
    const { runtime, waits } = fakeRuntime(0.5);
    const op = failing(httpError(500), httpError(502), httpError(503));
    await expect(callWithRetry(op.attempt, policy, runtime, call)).resolves.toBe('ok');
    expect(waits).toEqual([250, 500, 1000]);
  });

  it('never waits less than Retry-After', async () => {
    const { runtime, waits, logs } = fakeRuntime(0.1);
    const op = failing(httpError(429, { 'Retry-After': '2' }), httpError(429, { 'Retry-After': '2' }));
    await callWithRetry(op.attempt, policy, runtime, call);
    expect(waits).toEqual([2000, 2000]);
    expect(logs[0]).toMatchObject({
      operation: 'people.connections.list',
      attempt: 1,
      status: 429,
      delayMs: 2000,
    });
  });

  it('gives up after maxAttempts: 429 as RATE_LIMITED with retryAfterMs, 5xx as TEMPORARY', async () => {
    const { runtime } = fakeRuntime();
    const storm = failing(...Array.from({ length: 6 }, () => httpError(429, { 'Retry-After': '3' })));
    const error = await callWithRetry(storm.attempt, policy, runtime, call).catch((e) => e);
    expect(storm.calls()).toBe(6);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 3000, provider: 'google' });
    expect(error.message).toMatch(/after 6 attempts/);

    const outage = failing(...Array.from({ length: 6 }, () => httpError(503)));
    await expect(callWithRetry(outage.attempt, policy, runtime, call)).rejects.toMatchObject({
      code: 'TEMPORARY',
    });
  });

  it('gives up on a 429 storm without Retry-After as RATE_LIMITED with no made-up retryAfterMs', async () => {
    const { runtime } = fakeRuntime();
    const storm = failing(...Array.from({ length: 6 }, () => httpError(429)));
    const error = await callWithRetry(storm.attempt, policy, runtime, call).catch((e) => e);
    expect(error).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: undefined });
    expect(error.message).toMatch(/after 6 attempts/);
  });

  it("carries a 429's scope: a project-wide one at once (the fleet pauses the upstream), a per-user one after retries", async () => {
    const { runtime, waits } = fakeRuntime();
    const quota = (scope: 'user' | 'project') =>
      Object.assign(new Error('HTTP 429'), {
        config: {},
        response: {
          status: 429,
          data: googleErrors.quotaExceeded(scope, '123456789012', 60),
          headers: new Headers(),
        },
      });
    const project = failing(quota('project'));
    await expect(callWithRetry(project.attempt, policy, runtime, call)).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      rateLimitScope: 'project',
    });
    expect(project.calls()).toBe(1);
    expect(waits).toEqual([]);
    const user = failing(...Array.from({ length: 6 }, () => quota('user')));
    await expect(callWithRetry(user.attempt, policy, runtime, call)).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      rateLimitScope: 'user',
    });
    expect(user.calls()).toBe(6);
  });

  it('gives up when the next wait would pass maxTotalMs, measured on the injected clock', async () => {
    const { runtime, waits } = fakeRuntime(0.99);
    const op = failing(...Array.from({ length: 6 }, () => httpError(503)));
    const error = await callWithRetry(op.attempt, { ...policy, maxTotalMs: 2000 }, runtime, call).catch(
      (e) => e,
    );
    expect(error).toMatchObject({ code: 'TEMPORARY' });
    expect(waits.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(2000);
    expect(error.message).toMatch(/limit 2000 ms/);
  });

  it('does not sit out a Retry-After longer than maxDelayMs: RATE_LIMITED at once, with that wait', async () => {
    const { runtime, waits } = fakeRuntime();
    const op = failing(httpError(429, { 'Retry-After': '3600' }));
    await expect(callWithRetry(op.attempt, policy, runtime, call)).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      retryAfterMs: 3_600_000,
    });
    expect(waits).toEqual([]);
  });

  it('throws non-retryable failures at once', async () => {
    const { runtime, waits } = fakeRuntime();
    const op = failing(httpError(404));
    await expect(callWithRetry(op.attempt, policy, runtime, call)).rejects.toMatchObject({
      code: 'PERMANENT',
    });
    expect(op.calls()).toBe(1);
    expect(waits).toEqual([]);
  });

  it('stops waiting when the signal aborts, as a TEMPORARY ProviderError', async () => {
    const { runtime } = fakeRuntime();
    const controller = new AbortController();
    runtime.sleep = () => {
      controller.abort();
      return new Promise(() => {});
    };
    const op = failing(httpError(503), httpError(503));
    await expect(
      callWithRetry(op.attempt, policy, runtime, { ...call, signal: controller.signal }),
    ).rejects.toMatchObject({
      code: 'TEMPORARY',
      message: expect.stringMatching(/cancelled/),
    });
    expect(op.calls()).toBe(1);
  });

  it('never passes on the HTTP client error (its config holds the bearer token)', async () => {
    const { runtime } = fakeRuntime();
    const leaky = Object.assign(httpError(400), {
      config: { headers: { Authorization: 'Bearer ya29.leak' } },
    });
    const error = await callWithRetry(failing(leaky).attempt, policy, runtime, call).catch((e) => e);
    expect(JSON.stringify({ message: error.message, cause: error.cause })).not.toContain('ya29.leak');
  });
});
