import type { GoogleEmulator } from '@contacts/google-emulator';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createPeopleClient } from './people-client.js';
import { failureOf, startEmulator, testProvider } from './test-support.js';

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

    emulator.admin.injectFault({ kind: 'hang', endpoint: 'token' });
    const second = testProvider(emulator, { requestTimeoutMs: 100 });
    expect((await second.provider.fullSync({})).contacts).toHaveLength(12);
    expect(second.waits).toHaveLength(1);
  });

  it('sends its requests, token refreshes included, through Node’s fetch rather than node-fetch', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const { api } = createPeopleClient({
      ...emulator.credentials,
      rootUrl: emulator.url,
      tokenUrl: emulator.tokenUrl,
      requestTimeoutMs: 5_000,
    });
    await api.people.connections.list({ resourceName: 'people/me', personFields: 'names' });
    const urls = fetchSpy.mock.calls.map(([input]) => String(input instanceof Request ? input.url : input));
    expect(urls).toEqual([emulator.tokenUrl, expect.stringContaining('/v1/people/me/connections')]);
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
      expect(refused).toMatch(/aborted|timeout/i);
      await new Promise((resolve) => setTimeout(resolve, 10));
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    expect(uncaught).toEqual([]);
  });
});
