import { Agent } from 'node:http';
import { findHttpGuardError } from '@contacts/core';
import type { GoogleEmulator } from '@contacts/google-emulator';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createPeopleClient } from './people-client.js';
import { failureOf, startEmulator, testProvider } from './test-support.js';

const CAP = 1_000_000;
// What may still be in flight when the client closes: the kernel's socket buffers on loopback
// and a chunk or two in each process. Far below what the emulator would send unchecked.
const IN_FLIGHT = 16 * 1024 * 1024;

/**
 * Body bytes the emulator wrote for the streamed fault it answered, once it noticed that the
 * client left (it logs a request when it is done with it).
 */
async function bytesSent(emulator: GoogleEmulator, endpoint: 'connections' | 'token'): Promise<number> {
  let sent: number | undefined;
  await vi.waitFor(() => {
    sent = emulator.admin.requests(endpoint).find((entry) => entry.bytesSent !== undefined)?.bytesSent;
    expect(sent).toBeTypeOf('number');
  });
  return sent as number;
}

// Issue 11: a fast endless body grew the process to 6 GB; a 200 MB page took 911 MB; 600 MB was
// downloaded six times (retried) and reported as "could not reach Google".
describe('GoogleContactsProvider: the cap on a response body (maxResponseBytes)', () => {
  let emulator: GoogleEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ people: 12, otherContacts: 0 });
  });
  afterEach(() => {
    emulator.admin.clearFaults();
    emulator.admin.resetRequests();
  });
  afterAll(() => emulator.close());

  const provider = () =>
    testProvider(emulator, { maxResponseBytes: CAP, requestTimeoutMs: 1_000, retry: { maxAttempts: 3 } });

  it('stops a fast endless body at the cap, asks once, and names the cap and the operation', async () => {
    emulator.admin.injectFault({ kind: 'endlessBody', endpoint: 'connections', times: 3 });
    const { provider: google, waits } = provider();
    const error = await failureOf(google.fullSync({}));
    expect(error).toMatchObject({ code: 'TEMPORARY', provider: 'google' });
    expect((error as Error).message).toBe(
      "Google's answer to people.connections.list was larger than the 1000000 bytes allowed (maxResponseBytes): it was cut off, and is not asked for again within this call.",
    );
    expect(waits).toEqual([]);
    expect(await bytesSent(emulator, 'connections')).toBeLessThan(CAP + IN_FLIGHT);
    expect(emulator.admin.requestCount('connections')).toBe(1);
  });

  it.each([
    ['with a Content-Length (refused before reading)', true],
    ['chunked (counted as it arrives)', false],
  ])('refuses a huge page %s, once', async (_how, contentLength) => {
    emulator.admin.injectFault({
      kind: 'hugeBody',
      bytes: 64 * 1024 * 1024,
      contentLength,
      endpoint: 'connections',
      times: 3,
    });
    const error = await failureOf(provider().provider.fullSync({}));
    expect(error).toMatchObject({ code: 'TEMPORARY' });
    expect((error as Error).message).toMatch(/larger than the 1000000 bytes allowed \(maxResponseBytes\)/);
    expect(await bytesSent(emulator, 'connections')).toBeLessThan(CAP + IN_FLIGHT);
    expect(emulator.admin.requestCount('connections')).toBe(1);
  });

  it('caps the token endpoint too', async () => {
    emulator.admin.injectFault({ kind: 'hugeBody', bytes: 64 * 1024 * 1024, endpoint: 'token', times: 3 });
    const error = await failureOf(provider().provider.validateCredentials());
    expect((error as Error).message).toMatch(
      /^Google's answer to oauth2\.token was larger than the 1000000 bytes/,
    );
    expect(await bytesSent(emulator, 'token')).toBeLessThan(CAP + IN_FLIGHT);
    expect(emulator.admin.requestCount('token')).toBe(1);
  });

  it('holds the cap and the deadline behind a proxy agent too (node-fetch, not Node’s fetch)', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const { api, auth } = createPeopleClient({
      ...emulator.credentials,
      rootUrl: emulator.url,
      tokenUrl: emulator.tokenUrl,
      // Long enough for the real refresh and page below on a loaded machine.
      requestTimeoutMs: 1_000,
      maxResponseBytes: CAP,
    });
    // What gaxios does when HTTPS_PROXY is set or a client certificate is configured.
    auth.transporter.defaults.agent = new Agent();
    const list = () => api.people.connections.list({ resourceName: 'people/me', personFields: 'names' });
    expect((await list()).data.connections).toHaveLength(12);

    emulator.admin.injectFault({ kind: 'endlessBody', endpoint: 'connections' });
    expect(findHttpGuardError(await failureOf(list()))).toMatchObject({
      code: 'RESPONSE_TOO_LARGE',
      limit: CAP,
    });
    emulator.admin.injectFault({ kind: 'drip', intervalMs: 20, endpoint: 'connections' });
    expect(findHttpGuardError(await failureOf(list()))).toMatchObject({
      code: 'DEADLINE_EXCEEDED',
      limit: 1_000,
    });
    emulator.admin.injectFault({ kind: 'hang', endpoint: 'connections' });
    expect(findHttpGuardError(await failureOf(list()))).toMatchObject({
      code: 'DEADLINE_EXCEEDED',
      limit: 1_000,
    });
    expect(fetchSpy).not.toHaveBeenCalled();
    fetchSpy.mockRestore();
  });

  it('lets an ordinary page through with the default cap', async () => {
    const { provider: google } = testProvider(emulator);
    expect((await google.fullSync({})).contacts).toHaveLength(12);
  });
});
