import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { failureOf, startEmulator, testProvider } from './test-support.js';

/** A People API stand-in that answers every list with a 403 quota error carrying Retry-After. */
async function quota403Server() {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url?.split('?')[0]}`);
    if (req.url?.startsWith('/token')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ access_token: 'ya29.test', expires_in: 3600, token_type: 'Bearer' }));
      return;
    }
    res.writeHead(403, { 'content-type': 'application/json', 'retry-after': '30' });
    res.end(
      JSON.stringify({
        error: {
          code: 403,
          message: 'Quota exceeded.',
          status: 'PERMISSION_DENIED',
          details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'RATE_LIMIT_EXCEEDED' }],
        },
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return { url, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('GoogleContactsProvider: quota on 403 and aborts during a token refresh', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  it('waits Retry-After on a 403 quota error instead of refreshing the token and resending at once', async () => {
    const api = await quota403Server();
    closers.push(api.close);
    const emulator = await startEmulator({ people: 1, otherContacts: 0 });
    closers.push(() => emulator.close());
    const { provider, waits } = testProvider(emulator, {
      rootUrl: api.url,
      tokenUrl: `${api.url}token`,
      retry: { maxAttempts: 2 },
    });
    const error = await failureOf(provider.fullSync({}));
    expect(error).toMatchObject({ code: 'RATE_LIMITED' });
    expect(waits).toEqual([30_000]);
    expect(api.requests).toEqual([
      'POST /token',
      'GET /v1/people/me/connections',
      'GET /v1/people/me/connections',
    ]);
  });

  it('does not return a page when aborted while the access token was being refreshed', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let reached!: () => void;
    const atToken = new Promise<void>((resolve) => {
      reached = resolve;
    });
    const emulator = await startEmulator({
      people: 5,
      otherContacts: 0,
      sleep: async () => {
        reached();
        await held;
      },
    });
    closers.push(() => emulator.close());
    emulator.admin.injectFault({ kind: 'slow', delayMs: 1, endpoint: 'token', times: 1 });
    const { provider } = testProvider(emulator);
    const controller = new AbortController();
    const page = provider.fullSync({ signal: controller.signal });
    await atToken;
    controller.abort();
    release();
    const error = await failureOf(page);
    expect(error).toMatchObject({ code: 'TEMPORARY' });
    expect((error as Error).message).toMatch(/cancel/i);
  });
});
