import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
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
  /** Radicale's storage folder (`filesystem_folder`), removed by `stop()`. */
  storage: string;
  credentials: { username: string; password: string };
  /** Creates an address book (extended MKCOL) for the account and returns its URL. */
  createBook(name: string): Promise<string>;
  /**
   * Creates an address book holding `cards` by writing Radicale's storage folder directly (no
   * request per card: thousands of cards in milliseconds) and returns its URL. Radicale reads
   * the folder on every request, so the book is served at once.
   */
  seedBook(name: string, cards: Iterable<{ name: string; vcard: string }>): string;
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
 * Options of {@link startRadicale}.
 *
 * @example
 * ```ts
 * const again = await startRadicale({ storageFrom: '/tmp/warm-storage' });
 * ```
 */
export interface RadicaleOptions {
  /**
   * A storage folder to start from, copied (an earlier server's `storage`, copied while it ran
   * idle: books, cards and Radicale's item cache, so thousands of cards need not be parsed again).
   */
  storageFrom?: string;
}

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
export async function startRadicale(options: RadicaleOptions = {}): Promise<RadicaleServer> {
  const command = findExecutable('radicale');
  if (command === null) throw new Error(RADICALE_MISSING);
  const credentials = { username: 'ada', password: 'radicale-test-pw' };
  const child = await startDavProcess({
    command,
    prepare: (dir, port) => {
      if (options.storageFrom) cpSync(options.storageFrom, join(dir, 'storage'), { recursive: true });
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
  const storage = join(child.dir, 'storage');
  return {
    url,
    storage,
    credentials,
    process: child,
    stop: () => child.stop(),
    seedBook(name, cards) {
      if (!/^[A-Za-z0-9_-]+$/.test(name))
        throw new Error(`seedBook: ${JSON.stringify(name)} is not a plain name.`);
      const folder = join(storage, 'collection-root', credentials.username, name);
      mkdirSync(folder, { recursive: true });
      writeFileSync(
        join(folder, '.Radicale.props'),
        JSON.stringify({ tag: 'VADDRESSBOOK', 'D:displayname': name }),
      );
      for (const card of cards) {
        if (!/^[A-Za-z0-9_.-]+\.vcf$/.test(card.name))
          throw new Error(`seedBook: ${JSON.stringify(card.name)} is not a plain .vcf name.`);
        writeFileSync(join(folder, card.name), card.vcard);
      }
      return new URL(`/${credentials.username}/${name}/`, url).href;
    },
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
