import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DavProcess, findExecutable, startDavProcess } from './dav-process.js';

/**
 * A Radicale server the tests started: its URL, the account on it, and a way to make books.
 *
 * @example
 * ```ts
 * const radicale = await startRadicale();
 * const bookUrl = await radicale.createBook('contacts');
 * await radicale.stop();
 * ```
 */
export interface RadicaleServer {
  url: string;
  credentials: { username: string; password: string };
  /** Creates an address book (extended MKCOL) for the account and returns its URL. */
  createBook(name: string): Promise<string>;
  process: DavProcess;
  stop(): Promise<void>;
}

/**
 * The sentence a test skips with when Radicale is not installed.
 *
 * @example
 * ```ts
 * if (!findExecutable('radicale')) console.warn(RADICALE_MISSING);
 * ```
 */
export const RADICALE_MISSING =
  'Radicale is not installed: install it with `apt-get install -y radicale` (Debian 12 ships 3.1.8; .ci/run does this).';

/**
 * Whether the `radicale` command is on PATH.
 *
 * @example
 * ```ts
 * describe.skipIf(!radicaleAvailable())('[radicale] ...', () => {});
 * ```
 */
export function radicaleAvailable(): boolean {
  return findExecutable('radicale') !== null;
}

const MKCOL_BOOK =
  '<?xml version="1.0" encoding="utf-8"?><d:mkcol xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav">' +
  '<d:set><d:prop><d:resourcetype><d:collection/><card:addressbook/></d:resourcetype></d:prop></d:set></d:mkcol>';

/**
 * Starts Radicale (3.1.8 from Debian) on a free loopback port with its own config (Debian's
 * `/etc/radicale/config` uses remote_user auth and TLS, so it is never read), plain htpasswd
 * with one user, owner-only rights and storage in a temp dir removed by `stop()`.
 *
 * @throws Error when Radicale is missing or does not start.
 * @example
 * ```ts
 * const radicale = await startRadicale();
 * new DavTransport({ site: radicale.url, credentials: radicale.credentials });
 * ```
 */
export async function startRadicale(): Promise<RadicaleServer> {
  const command = findExecutable('radicale');
  if (command === null) throw new Error(RADICALE_MISSING);
  const credentials = { username: 'ada', password: 'radicale-test-pw' };
  const child = await startDavProcess({
    command,
    prepare: (dir, port) => {
      writeFileSync(join(dir, 'users'), `${credentials.username}:${credentials.password}\n`);
      writeFileSync(
        join(dir, 'config'),
        [
          '[server]',
          `hosts = 127.0.0.1:${port}`,
          'ssl = False',
          '[auth]',
          'type = htpasswd',
          `htpasswd_filename = ${join(dir, 'users')}`,
          'htpasswd_encryption = plain',
          '[rights]',
          'type = owner_only',
          '[storage]',
          `filesystem_folder = ${join(dir, 'storage')}`,
          '[logging]',
          'level = warning',
          '',
        ].join('\n'),
      );
    },
    args: (dir) => ['-C', join(dir, 'config')],
  });
  const url = `http://127.0.0.1:${child.port}/`;
  const authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
  return {
    url,
    credentials,
    process: child,
    stop: () => child.stop(),
    async createBook(name) {
      const bookUrl = new URL(`/${credentials.username}/${encodeURIComponent(name)}/`, url).href;
      const res = await fetch(bookUrl, {
        method: 'MKCOL',
        headers: { authorization, 'content-type': 'application/xml; charset=utf-8' },
        body: MKCOL_BOOK,
      });
      await res.body?.cancel();
      if (res.status !== 201)
        throw new Error(`Radicale refused to create the book ${name} (HTTP ${res.status}).`);
      return bookUrl;
    },
  };
}
