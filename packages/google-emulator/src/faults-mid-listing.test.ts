import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createManualClock } from './clock.js';
import { EmulatorError } from './errors.js';
import { type GoogleEmulator, startGoogleEmulator } from './server.js';
import { client } from './test-support.js';

// The faults that strike in the middle of a listing, or that are about time: `after`,
// `withPageToken`, `invalidPageToken`, `hang`, and a 429 without `Retry-After`.
let emulator: GoogleEmulator;
let api: ReturnType<typeof client>;

beforeEach(async () => {
  emulator = await startGoogleEmulator({ seed: 3, people: 12, clock: createManualClock() });
  api = client(emulator);
});
afterEach(() => emulator.close());

const LIST = { personFields: 'names', pageSize: 5, requestSyncToken: true };

describe('faults in the middle of a listing', () => {
  it('lets `after` matching requests through, then strikes', async () => {
    emulator.admin.injectFault({ kind: 'serverError', status: 503, endpoint: 'connections', after: 2 });
    expect(emulator.admin.pendingFaults()[0]).toMatchObject({ after: 2, remaining: 1 });
    // Requests of other endpoints are not counted.
    expect((await api.contactGroups()).status).toBe(200);
    const first = await api.connections(LIST);
    const second = await api.connections({ ...LIST, pageToken: first.body.nextPageToken });
    expect([first.status, second.status]).toEqual([200, 200]);
    const third = await api.connections({ ...LIST, pageToken: second.body.nextPageToken });
    expect(third.status).toBe(503);
    expect((await api.connections({ ...LIST, pageToken: second.body.nextPageToken })).status).toBe(200);
    expect(emulator.admin.requests('connections').map((r) => r.fault ?? null)).toEqual([
      null,
      null,
      'serverError',
      null,
    ]);
  });

  it('counts each waiting fault on its own, and lets a due one strike past a waiting one', async () => {
    emulator.admin.injectFault({ kind: 'serverError', endpoint: 'contactGroups', after: 1 });
    emulator.admin.injectFault({ kind: 'malformed', endpoint: 'contactGroups' });
    const malformed = await api.contactGroups();
    expect(malformed.status).toBe(200);
    expect(() => JSON.parse(malformed.text)).toThrow(SyntaxError);
    expect((await api.contactGroups()).status).toBe(500);
    expect((await api.contactGroups()).status).toBe(200);
  });

  it('`withPageToken` spares the first page of a listing', async () => {
    emulator.admin.injectFault({ kind: 'rateLimit', endpoint: 'connections', when: 'withPageToken' });
    const first = await api.connections(LIST);
    expect(first.status).toBe(200);
    expect((await api.connections({ ...LIST, pageToken: first.body.nextPageToken })).status).toBe(429);
  });

  it('answers a page token that stopped working with 400 INVALID_ARGUMENT, never a first page', async () => {
    emulator.admin.injectFault({ kind: 'invalidPageToken', endpoint: 'connections', times: 2 });
    const first = await api.connections(LIST);
    expect(first.status).toBe(200);
    const refused = await api.connections({ ...LIST, pageToken: first.body.nextPageToken });
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({
      error: { code: 400, message: 'Request contains an invalid argument.', status: 'INVALID_ARGUMENT' },
    });
    expect(emulator.admin.pendingFaults()).toMatchObject([{ remaining: 1 }]);
  });

  it('can send a 429 without Retry-After', async () => {
    emulator.admin.injectFault({ kind: 'rateLimit', retryAfterSeconds: null });
    const answer = await api.contactGroups();
    expect(answer.status).toBe(429);
    expect(answer.headers.get('retry-after')).toBeNull();
    expect(emulator.admin.pendingFaults()).toEqual([]);
  });

  it.each([
    { kind: 'hang', after: -1 },
    { kind: 'invalidPageToken', after: 1.5 },
    { kind: 'rateLimit', retryAfterSeconds: 'x' },
  ])('refuses an invalid fault %j', (fault) => {
    expect(() => emulator.admin.injectFault(fault as never)).toThrowError(EmulatorError);
  });

  it('takes the new options over HTTP too', async () => {
    const post = (body: unknown) =>
      fetch(new URL('faults', emulator.adminUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await post({ kind: 'hang', endpoint: 'token', after: 1 })).status).toBe(201);
    expect((await post({ kind: 'invalidPageToken', when: 'withPageToken' })).status).toBe(201);
    expect((await post({ kind: 'rateLimit', retryAfterSeconds: null })).status).toBe(201);
    expect(emulator.admin.pendingFaults().map((f) => f.fault.kind)).toEqual([
      'hang',
      'invalidPageToken',
      'rateLimit',
    ]);
  });
});

describe('hang', () => {
  it('never answers: the client times out, the request is logged with status 0, the next one is served', async () => {
    emulator.admin.injectFault({ kind: 'hang', endpoint: 'contactGroups' });
    const timedOut = await fetch(new URL('v1/contactGroups', emulator.url), {
      headers: { authorization: `Bearer ${api.token}` },
      signal: AbortSignal.timeout(50),
    }).then(
      () => 'answered',
      (error: Error) => error.name,
    );
    expect(timedOut).toBe('TimeoutError');
    // The server notices the closed connection a moment later.
    for (let i = 0; i < 100 && emulator.admin.requests('contactGroups').length === 0; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(emulator.admin.requests('contactGroups')).toMatchObject([{ status: 0, fault: 'hang' }]);
    expect((await api.contactGroups()).status).toBe(200);
  });

  it('is dropped when the emulator closes', async () => {
    emulator.admin.injectFault({ kind: 'hang' });
    const pending = api.contactGroups().then(
      () => 'answered',
      () => 'dropped',
    );
    while (emulator.admin.pendingFaults().length > 0) await new Promise((resolve) => setImmediate(resolve));
    await emulator.close();
    expect(await pending).toBe('dropped');
  });
});
