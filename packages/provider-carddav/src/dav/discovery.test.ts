import type { FetchLike } from '@contacts/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type ScriptedServer, startScriptedServer } from '../test-support/scripted-server.js';
import { DavTransport } from './dav-transport.js';
import { discoverAddressBooks } from './discovery.js';

const credentials = { username: 'ada', password: 'secret-app-password' };
const servers: ScriptedServer[] = [];
async function start(
  options: Parameters<typeof startScriptedServer>[0] = { credentials },
): Promise<ScriptedServer> {
  const server = await startScriptedServer(options);
  servers.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A fetch that sends every https host to the scripted server, telling it which host was asked. */
function mapHostsTo(server: ScriptedServer): FetchLike {
  return (input, init) => {
    const asked = new URL(String(input));
    const local = new URL(asked.pathname + asked.search, server.url);
    const headers = new Headers(init?.headers);
    headers.set('x-scripted-host', asked.host);
    return fetch(local, { ...init, headers });
  };
}

describe('discoverAddressBooks', () => {
  it('finds the books from a server root through /.well-known/carddav, principal and home', async () => {
    const server = await start();
    const transport = new DavTransport({ site: server.url, credentials });
    const books = await discoverAddressBooks(transport, server.url);
    expect(books).toEqual([{ url: server.bookUrl, displayName: 'Scripted' }]);
    expect(server.log.map((r) => `${r.method} ${r.path}`)).toEqual([
      'PROPFIND /.well-known/carddav',
      'PROPFIND /dav/',
      'PROPFIND /dav/principal/',
      'PROPFIND /dav/home/',
    ]);
    expect(server.log.every((r) => r.sentCredentials)).toBe(true);
  });

  it("takes a book's own URL as that one book", async () => {
    const server = await start();
    const transport = new DavTransport({ site: server.url, credentials });
    expect(await discoverAddressBooks(transport, server.bookUrl)).toEqual([
      { url: server.bookUrl, displayName: 'Scripted' },
    ]);
    expect(transport.requests).toBe(1);
  });

  it("sends the credentials again to iCloud's partition host after the redirect", async () => {
    const server = await start();
    server.redirects.set('/.well-known/carddav', { location: 'https://p07-contacts.icloud.com/dav/' });
    const transport = new DavTransport({
      site: 'https://contacts.icloud.com/',
      credentials,
      fetch: mapHostsTo(server),
    });
    const books = await discoverAddressBooks(transport, 'https://contacts.icloud.com/');
    expect(books.map((b) => b.url)).toEqual(['https://p07-contacts.icloud.com/dav/home/book/']);
    expect(server.log.map((r) => [r.host, r.sentCredentials])).toEqual([
      ['contacts.icloud.com', true],
      ['p07-contacts.icloud.com', true],
      ['p07-contacts.icloud.com', true],
      ['p07-contacts.icloud.com', true],
    ]);
  });

  it('never sends the credentials to another site a redirect names, and says so on its 401', async () => {
    const server = await start();
    server.redirects.set('/.well-known/carddav', { location: 'https://dav.evil.example/dav/', status: 307 });
    const transport = new DavTransport({
      site: 'https://dav.example.org/',
      credentials,
      fetch: mapHostsTo(server),
    });
    const error = await discoverAddressBooks(transport, 'https://dav.example.org/').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'AUTH_FAILED', provider: 'carddav' });
    expect((error as Error).message).toContain(
      'dav.evil.example, another site than the configured dav.example.org',
    );
    expect((error as Error).message).not.toContain(credentials.password);
    const evil = server.log.filter((r) => r.host === 'dav.evil.example');
    expect(evil.length).toBeGreaterThan(0);
    expect(evil.some((r) => r.sentCredentials)).toBe(false);
  });

  it('keeps the credentials from another loopback port (a real second server)', async () => {
    const [first, second] = [await start(), await start()];
    first.redirects.set('/.well-known/carddav', { location: `${second.url}dav/` });
    const transport = new DavTransport({ site: first.url, credentials });
    await expect(discoverAddressBooks(transport, first.url)).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    expect(second.log.length).toBeGreaterThan(0);
    expect(second.log.some((r) => r.sentCredentials)).toBe(false);
  });

  it('keeps the credentials on a same-site redirect (a moved book)', async () => {
    const server = await start();
    server.redirects.set('/old/book/', { location: '/dav/home/book/', status: 308 });
    const transport = new DavTransport({ site: server.url, credentials });
    expect((await discoverAddressBooks(transport, `${server.url}old/book/`)).map((b) => b.url)).toEqual([
      server.bookUrl,
    ]);
    expect(server.log.every((r) => r.sentCredentials)).toBe(true);
  });

  it('fails AUTH_FAILED on a refused password with a sentence about app-specific passwords and no secret', async () => {
    const server = await start();
    const transport = new DavTransport({
      site: server.url,
      credentials: { username: 'ada', password: 'wrong-pw' },
    });
    const error = await discoverAddressBooks(transport, server.url).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'AUTH_FAILED', retryable: false });
    expect((error as Error).message).toMatch(/app-specific password/);
    expect(JSON.stringify({ m: (error as Error).message, c: String((error as Error).cause) })).not.toMatch(
      /wrong-pw|Basic /,
    );
  });

  it('fails PERMANENT with a sentence when nothing CardDAV answers', async () => {
    const server = await start();
    server.redirects.delete('/.well-known/carddav');
    const transport = new DavTransport({ site: server.url, credentials });
    await expect(discoverAddressBooks(transport, `${server.url}nothing/here/`)).rejects.toMatchObject({
      code: 'PERMANENT',
      message: expect.stringMatching(/check the url/),
    });
  });

  it('refuses plain http to a host that is not loopback before sending anything', async () => {
    let called = false;
    const transport = new DavTransport({
      site: 'http://dav.example.org/',
      credentials,
      fetch: async () => {
        called = true;
        return new Response('');
      },
    });
    await expect(discoverAddressBooks(transport, 'http://dav.example.org/')).rejects.toMatchObject({
      code: 'PERMANENT',
    });
    expect(called).toBe(false);
  });
});
