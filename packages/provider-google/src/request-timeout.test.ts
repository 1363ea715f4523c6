import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { GoogleEmulator } from '@contacts/google-emulator';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createPeopleClient } from './people-client.js';
import { failureOf, startEmulator, testProvider } from './test-support.js';

/** The garbage collector, callable in this test process. */
function exposedGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/**
 * Runs the garbage collector while `pending` waits for an answer from the emulator (the fault
 * is taken, so the request is in flight), then what `pending` settled with. A request that is
 * still waiting long after its deadline is reported as `still waiting`, so that a lost deadline
 * fails the test with a sentence rather than at vitest's own timeout.
 */
async function settleWithGc(
  emulator: GoogleEmulator,
  pending: Promise<unknown>,
  giveUpAfterMs: number,
): Promise<unknown> {
  const gc = exposedGc();
  let settled = false;
  const outcome = failureOf(pending).finally(() => {
    settled = true;
  });
  while (emulator.admin.pendingFaults().length > 0 && !settled) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  for (let i = 0; i < 5; i += 1) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  let giveUp: NodeJS.Timeout | undefined;
  const waited = new Promise<string>((resolve) => {
    giveUp = setTimeout(
      () => resolve(`still waiting ${giveUpAfterMs} ms after the request started`),
      giveUpAfterMs,
    );
  });
  try {
    return await Promise.race([outcome, waited]);
  } finally {
    clearTimeout(giveUp);
  }
}

// `requestTimeoutMs` against requests that never answer (the emulator's `hang` fault), and
// against timeouts that fire while an answer is arriving.
describe('GoogleContactsProvider: the request timeout', () => {
  let emulator: GoogleEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ people: 12, otherContacts: 0 });
  });
  afterEach(() => {
    emulator.admin.clearFaults();
    vi.restoreAllMocks();
  });
  afterAll(() => emulator.close());

  it('abandons a request that hangs, retries it, and says it timed out (not "could not reach Google (AbortError)")', async () => {
    emulator.admin.injectFault({ kind: 'hang', endpoint: 'connections', times: 2 });
    const { provider, waits } = testProvider(emulator, { requestTimeoutMs: 100, retry: { maxAttempts: 2 } });
    const error = await failureOf(provider.fullSync({}));
    expect(error).toMatchObject({ code: 'TEMPORARY' });
    expect((error as Error).message).toBe(
      'Google did not answer people.connections.list within 100 ms: the request timed out. Gave up after 2 attempts.',
    );
    expect(waits).toHaveLength(1);

    // A token refresh that missed its 100 ms above leaves a hang unused: it is not this part's.
    emulator.admin.clearFaults();
    emulator.admin.injectFault({ kind: 'hang', endpoint: 'token' });
    // Long enough for the real refresh and page that follow on a loaded machine: with 100 ms
    // they too missed their deadline under load (two or three waits instead of one).
    const second = testProvider(emulator, { requestTimeoutMs: 1_000 });
    expect((await second.provider.fullSync({})).contacts).toHaveLength(12);
    expect(second.waits).toHaveLength(1);
  });

  it('ends a request that never answers at requestTimeoutMs although the caller passes a signal and the garbage collector runs (issue 11: it ran 301 s)', async () => {
    // gaxios combined the caller's signal with AbortSignal.timeout() through AbortSignal.any(),
    // and Node 20 lets the garbage collector take that timeout signal (nodejs/node#57736).
    emulator.admin.injectFault({ kind: 'hang', endpoint: 'connections' });
    // 1 s: the real token refresh before it must fit too on a loaded machine.
    const { provider } = testProvider(emulator, { requestTimeoutMs: 1_000, retry: { maxAttempts: 1 } });
    const outcome = await settleWithGc(
      emulator,
      provider.fullSync({ signal: new AbortController().signal }),
      10_000,
    );
    expect(outcome).toMatchObject({ code: 'TEMPORARY' });
    expect((outcome as Error).message).toMatch(
      /^Google did not answer people\.connections\.list within 1000 ms: the request timed out\./,
    );
  });

  it('ends an answer that sends its headers and then drips a byte at a time at the deadline of the whole response (issue 11: it hung 200 s)', async () => {
    emulator.admin.injectFault({ kind: 'drip', intervalMs: 20, endpoint: 'connections' });
    const { provider } = testProvider(emulator, { requestTimeoutMs: 1_000, retry: { maxAttempts: 1 } });
    const outcome = await settleWithGc(
      emulator,
      provider.fullSync({ signal: new AbortController().signal }),
      10_000,
    );
    expect(outcome).toMatchObject({ code: 'TEMPORARY' });
    expect((outcome as Error).message).toMatch(
      /^Google did not answer people\.connections\.list within 1000 ms: the request timed out\./,
    );
    // The emulator stops dripping once the client has closed the connection.
    await vi.waitFor(() => expect(emulator.admin.requests('connections').at(-1)?.fault).toBe('drip'));
  });

  it('sends its requests, token refreshes included, through the guarded fetch rather than node-fetch', async () => {
    // The guarded fetch's default is the undici package's fetch (core's `defaultFetch`), not a
    // global to spy on: node-fetch is made to fail instead, and the requests must still arrive.
    const nodeFetch = vi.fn(() => {
      throw new Error('node-fetch was used');
    });
    vi.doMock('node-fetch', () => ({ default: nodeFetch }));
    try {
      const tokensBefore = emulator.admin.requests('token').length;
      const pagesBefore = emulator.admin.requests('connections').length;
      const { api } = createPeopleClient({
        ...emulator.credentials,
        rootUrl: emulator.url,
        tokenUrl: emulator.tokenUrl,
        requestTimeoutMs: 5_000,
        maxResponseBytes: 1_000_000,
      });
      await api.people.connections.list({ resourceName: 'people/me', personFields: 'names' });
      expect(nodeFetch).not.toHaveBeenCalled();
      expect(emulator.admin.requests('token').length).toBe(tokensBefore + 1);
      expect(emulator.admin.requests('connections').length).toBe(pagesBefore + 1);
    } finally {
      vi.doUnmock('node-fetch');
    }
  });

  it('never turns a timeout that passed before the request started into an uncaught exception (node-fetch did)', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      const { auth } = createPeopleClient({
        ...emulator.credentials,
        rootUrl: emulator.url,
        tokenUrl: emulator.tokenUrl,
        requestTimeoutMs: 1,
        maxResponseBytes: 1_000_000,
      });
      // The event loop is busy for longer than the timeout between the moment gaxios arms it and
      // the moment the token request starts (here: a slow interceptor after the client's own).
      auth.transporter.interceptors.request.add({
        resolved: async (config) => {
          await new Promise((resolve) => setTimeout(resolve, 5));
          return config;
        },
      });
      const refused = await auth.getAccessToken().then(
        () => 'refreshed',
        (error: Error) => error.message,
      );
      expect(refused).toMatch(/aborted|timeout|did not complete within 1 ms/i);
      await new Promise((resolve) => setTimeout(resolve, 10));
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    expect(uncaught).toEqual([]);
  });
});
