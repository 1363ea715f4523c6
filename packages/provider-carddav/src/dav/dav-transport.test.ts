import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { freePort } from '../test-support/dav-process.js';
import { type ScriptedServer, startScriptedServer } from '../test-support/scripted-server.js';
import { statusError } from './dav-errors.js';
import { DavTransport } from './dav-transport.js';

const credentials = { username: 'ada', password: 'pw-not-in-messages' };
let server: ScriptedServer | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await server?.close();
  server = undefined;
});

describe('DavTransport', () => {
  it('sends Basic auth on the first request, without waiting for a challenge', async () => {
    server = await startScriptedServer({ credentials });
    const transport = new DavTransport({ site: server.url, credentials });
    const exchange = await transport.request({
      method: 'PROPFIND',
      url: server.bookUrl,
      depth: '0',
      body: '<x/>',
    });
    expect(exchange.status).toBe(207);
    expect(transport.requests).toBe(1);
    expect(server.log).toEqual([expect.objectContaining({ sentCredentials: true, depth: '0' })]);
  });

  it('ends an exchange at its deadline with TEMPORARY, naming the limit', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const transport = new DavTransport({
      site: 'https://dav.example.org/',
      credentials,
      timeoutMs: 5_000,
      // A server that never answers: the request waits until it is aborted.
      fetch: (_input, init) =>
        new Promise((_resolve, reject) =>
          init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)),
        ),
    });
    const pending = transport
      .request({ method: 'GET', url: 'https://dav.example.org/a.vcf' })
      .catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(await pending).toMatchObject({
      code: 'TEMPORARY',
      message: 'The CardDAV server did not answer GET dav.example.org/a.vcf within 5000 ms.',
    });
  });

  it('reports a refused connection as TEMPORARY with the network code', async () => {
    const port = await freePort();
    const transport = new DavTransport({ site: `http://127.0.0.1:${port}/`, credentials });
    await expect(
      transport.request({ method: 'PROPFIND', url: `http://127.0.0.1:${port}/` }),
    ).rejects.toMatchObject({
      code: 'TEMPORARY',
      message: expect.stringContaining('ECONNREFUSED'),
    });
  });

  it('gives up after too many redirects with PERMANENT', async () => {
    server = await startScriptedServer({ credentials });
    server.redirects.set('/loop/', { location: '/loop/', status: 302 });
    const transport = new DavTransport({ site: server.url, credentials, maxRedirects: 3 });
    await expect(transport.request({ method: 'PROPFIND', url: `${server.url}loop/` })).rejects.toMatchObject({
      code: 'PERMANENT',
      message: expect.stringMatching(/more than 3 times/),
    });
    expect(server.log).toHaveLength(4);
  });

  it('follows a 303 with a GET', async () => {
    const seen: string[] = [];
    const http = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      if (req.url === '/a') res.writeHead(303, { location: '/b' }).end();
      else res.writeHead(200).end('ok');
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/`;
    try {
      const transport = new DavTransport({ site: url, credentials });
      const exchange = await transport.request({ method: 'POST', url: `${url}a`, body: 'x' });
      expect([exchange.status, exchange.body, exchange.url.pathname]).toEqual([200, 'ok', '/b']);
      expect(seen).toEqual(['POST /a', 'GET /b']);
    } finally {
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    }
  });

  it('refuses a url that carries credentials, without quoting them', async () => {
    const transport = new DavTransport({ site: 'https://dav.example.org/', credentials });
    const error = await transport
      .request({ method: 'GET', url: 'https://ada:secret@dav.example.org/' })
      .catch((e) => e);
    expect(error).toMatchObject({ code: 'PERMANENT' });
    expect(error.message).not.toContain('secret');
  });
});

describe('statusError', () => {
  const at = (status: number, headers: Record<string, string> = {}) => ({
    status,
    url: new URL('https://dav.example.org/book/'),
    headers: new Headers(headers),
  });
  it('maps statuses into the closed set', () => {
    expect(statusError(at(429, { 'retry-after': '30' }), 'REPORT', 0)).toMatchObject({
      code: 'RATE_LIMITED',
      retryAfterMs: 30_000,
    });
    expect(
      statusError(at(503, { 'retry-after': 'Thu, 01 Jan 1970 00:01:00 GMT' }), 'REPORT', 0),
    ).toMatchObject({
      code: 'RATE_LIMITED',
      retryAfterMs: 60_000,
    });
    expect(statusError(at(502), 'REPORT', 0).code).toBe('TEMPORARY');
    expect(statusError(at(429), 'REPORT', 0).code).toBe('TEMPORARY');
    expect(statusError(at(401), 'REPORT', 0).code).toBe('AUTH_FAILED');
    expect(statusError(at(404), 'PROPFIND', 0)).toMatchObject({
      code: 'PERMANENT',
      message: 'The CardDAV server refused PROPFIND dav.example.org/book/ (HTTP 404): check the url.',
    });
  });
});
