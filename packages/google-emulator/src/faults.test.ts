import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createManualClock } from './clock.js';
import { EmulatorError, EXPIRED_SYNC_TOKEN_MESSAGE } from './errors.js';
import { type GoogleEmulator, startGoogleEmulator } from './server.js';
import { client, refreshTokenGrant } from './test-support.js';

/** A sleep the test releases by hand: no real waiting in tests. */
function manualSleep() {
  const waits: { ms: number; release: () => void }[] = [];
  const sleep = (ms: number, signal: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      waits.push({ ms, release: resolve });
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  const waitForSleeper = async () => {
    while (waits.length === 0) await new Promise((resolve) => setImmediate(resolve));
  };
  return { sleep, waits, waitForSleeper };
}

let emulator: GoogleEmulator;
let api: ReturnType<typeof client>;
let sleeper: ReturnType<typeof manualSleep>;

beforeEach(async () => {
  sleeper = manualSleep();
  emulator = await startGoogleEmulator({
    seed: 2,
    people: 30,
    clock: createManualClock(),
    sleep: sleeper.sleep,
  });
  api = client(emulator);
});
afterEach(() => emulator.close());

const LIST = { personFields: 'names' };

describe('fault injection', () => {
  it('answers 429 RESOURCE_EXHAUSTED with RATE_LIMIT_EXCEEDED and Retry-After', async () => {
    emulator.admin.injectFault({ kind: 'rateLimit', retryAfterSeconds: 30, endpoint: 'connections' });
    const { status, body, headers } = await api.connections(LIST);
    expect(status).toBe(429);
    expect(headers.get('retry-after')).toBe('30');
    expect(body.error).toMatchObject({
      code: 429,
      status: 'RESOURCE_EXHAUSTED',
      details: [
        {
          '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
          reason: 'RATE_LIMIT_EXCEEDED',
          domain: 'googleapis.com',
        },
      ],
    });
    expect((await api.connections(LIST)).status).toBe(200);
  });

  it.each([
    [500, 'INTERNAL', 'Internal error encountered.'],
    [503, 'UNAVAILABLE', 'The service is currently unavailable.'],
  ] as const)('answers %i in Google’s error shape', async (status, name, message) => {
    emulator.admin.injectFault({ kind: 'serverError', status });
    const answer = await api.contactGroups();
    expect(answer.status).toBe(status);
    expect(answer.body).toEqual({ error: { code: status, message, status: name } });
  });

  it('answers a malformed body with HTTP 200', async () => {
    emulator.admin.injectFault({ kind: 'malformed', endpoint: 'otherContacts' });
    const { status, text, headers } = await api.otherContacts({ readMask: 'names' });
    expect(status).toBe(200);
    expect(headers.get('content-type')).toContain('application/json');
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
  });

  it('answers the expired sync token in the current 400 form and in the older 410 form', async () => {
    emulator.admin.injectFault({ kind: 'expiredSyncToken' });
    emulator.admin.injectFault({ kind: 'syncTokenGone' });
    const current = await api.connections(LIST);
    expect(current.status).toBe(400);
    expect(current.body.error).toMatchObject({
      status: 'FAILED_PRECONDITION',
      details: [{ reason: 'EXPIRED_SYNC_TOKEN' }],
    });
    const older = await api.connections(LIST);
    expect(older.status).toBe(410);
    expect(older.text).toBe(
      JSON.stringify({ error: { code: 410, message: EXPIRED_SYNC_TOKEN_MESSAGE, status: 'GONE' } }),
    );
  });

  it('delays a slow response until the (injected) sleep ends, then answers normally', async () => {
    emulator.admin.injectFault({ kind: 'slow', delayMs: 5_000, endpoint: 'connections' });
    let settled = false;
    const pending = api.connections(LIST).then((answer) => {
      settled = true;
      return answer;
    });
    await sleeper.waitForSleeper();
    expect(sleeper.waits[0]?.ms).toBe(5_000);
    expect(settled).toBe(false);
    sleeper.waits[0]?.release();
    const answer = await pending;
    expect(answer.status).toBe(200);
    expect(answer.body.connections).toHaveLength(30);
  });

  it('drops a request still sleeping when the emulator closes', async () => {
    emulator.admin.injectFault({ kind: 'slow', delayMs: 60_000 });
    const pending = api.contactGroups().then(
      () => 'answered',
      () => 'dropped',
    );
    await sleeper.waitForSleeper();
    await emulator.close();
    expect(await pending).toBe('dropped');
  });

  it('really waits with the default sleep', async () => {
    const real = await startGoogleEmulator({});
    try {
      real.admin.injectFault({ kind: 'slow', delayMs: 30 });
      const started = performance.now();
      expect((await client(real).contactGroups()).status).toBe(200);
      expect(performance.now() - started).toBeGreaterThanOrEqual(25);
    } finally {
      await real.close();
    }
  });

  it('hits the next N matching requests only, first in first out', async () => {
    emulator.admin.injectFault({ kind: 'serverError', endpoint: 'contactGroups', times: 2 });
    emulator.admin.injectFault({ kind: 'rateLimit', endpoint: 'any' });
    expect(emulator.admin.pendingFaults().map((f) => [f.fault.kind, f.remaining])).toEqual([
      ['serverError', 2],
      ['rateLimit', 1],
    ]);
    expect((await api.connections(LIST)).status).toBe(429);
    expect((await api.contactGroups()).status).toBe(500);
    expect((await api.contactGroups()).status).toBe(500);
    expect((await api.contactGroups()).status).toBe(200);
    expect(emulator.admin.pendingFaults()).toEqual([]);
  });

  it('can target the first page of full syncs (Google’s extra per-user limit) or incremental calls', async () => {
    emulator.admin.injectFault({ kind: 'rateLimit', endpoint: 'connections', when: 'fullSyncFirstPage' });
    expect((await api.connections(LIST)).status).toBe(200);
    const first = await api.connections({ ...LIST, requestSyncToken: true, pageSize: 10 });
    expect(first.status).toBe(429);
    const retried = await api.connections({ ...LIST, requestSyncToken: true, pageSize: 10 });
    const second = await api.connections({
      ...LIST,
      requestSyncToken: true,
      pageSize: 10,
      pageToken: retried.body.nextPageToken,
    });
    expect(second.status).toBe(200);

    emulator.admin.injectFault({ kind: 'expiredSyncToken', endpoint: 'connections', when: 'withSyncToken' });
    const { nextSyncToken } = await api.all('v1/people/me/connections', 'connections', {
      ...LIST,
      requestSyncToken: true,
    });
    expect((await api.connections({ ...LIST, syncToken: nextSyncToken })).status).toBe(400);
    expect((await api.connections({ ...LIST, syncToken: nextSyncToken })).status).toBe(200);
  });

  it('applies to the token endpoint too', async () => {
    emulator.admin.injectFault({ kind: 'serverError', status: 503, endpoint: 'token' });
    const post = () => refreshTokenGrant(emulator);
    expect((await post()).status).toBe(503);
    expect((await post()).status).toBe(200);
  });

  it('comes before authentication, so a test need not hold a token to see it', async () => {
    emulator.admin.injectFault({ kind: 'rateLimit' });
    expect((await api.get('v1/contactGroups', {}, null)).status).toBe(429);
  });

  it('is recorded in the request log', async () => {
    emulator.admin.injectFault({ kind: 'malformed' });
    await api.contactGroups();
    await api.contactGroups();
    expect(emulator.admin.requests('contactGroups').map((r) => [r.status, r.fault])).toEqual([
      [200, 'malformed'],
      [200, undefined],
    ]);
  });

  it('is cleared on demand', async () => {
    emulator.admin.injectFault({ kind: 'serverError', times: 5 });
    emulator.admin.clearFaults();
    expect((await api.contactGroups()).status).toBe(200);
  });

  it.each([
    { kind: 'serverError', status: 502 },
    { kind: 'rateLimit', retryAfterSeconds: -1 },
    { kind: 'slow', delayMs: Number.NaN },
    { kind: 'malformed', times: 0 },
    { kind: 'teapot' },
  ])('refuses an invalid fault %j', (fault) => {
    expect(() => emulator.admin.injectFault(fault as never)).toThrowError(EmulatorError);
  });
});
