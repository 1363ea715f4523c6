import { type DavProcess, findExecutable, startDavProcess } from './dav-process.js';

/**
 * A Xandikos server the tests started (no authentication; `--defaults` makes one book).
 *
 * @example
 * ```ts
 * const xandikos = await startXandikos();
 * xandikos.bookUrl; // 'http://127.0.0.1:PORT/user/contacts/addressbook/'
 * ```
 */
export interface XandikosServer {
  url: string;
  bookUrl: string;
  /** Any: Xandikos asks for none; the client sends them anyway (Basic auth up front). */
  credentials: { username: string; password: string };
  process: DavProcess;
  stop(): Promise<void>;
}

/**
 * The sentence a test skips with when Xandikos is not installed.
 *
 * @example
 * ```ts
 * if (!xandikosAvailable()) console.warn(XANDIKOS_MISSING);
 * ```
 */
export const XANDIKOS_MISSING =
  'Xandikos is not installed: install it with `apt-get install -y xandikos` (Debian 12 ships 0.2.8; .ci/run does this).';

/**
 * Whether the `xandikos` command is on PATH.
 *
 * @example
 * ```ts
 * describe.skipIf(!xandikosAvailable())('[xandikos] ...', () => {});
 * ```
 */
export function xandikosAvailable(): boolean {
  return findExecutable('xandikos') !== null;
}

/**
 * Starts Xandikos (0.2.8 from Debian) with `--defaults` on a free loopback port, its git-backed
 * storage in a temp dir removed by `stop()`.
 *
 * @throws Error when Xandikos is missing or does not start.
 * @example
 * ```ts
 * const xandikos = await startXandikos();
 * await xandikos.stop();
 * ```
 */
export async function startXandikos(): Promise<XandikosServer> {
  const command = findExecutable('xandikos');
  if (command === null) throw new Error(XANDIKOS_MISSING);
  const child = await startDavProcess({
    command,
    args: (dir, port) => ['--defaults', '-d', dir, '-l', '127.0.0.1', '-p', String(port)],
  });
  const url = `http://127.0.0.1:${child.port}/`;
  return {
    url,
    bookUrl: new URL('/user/contacts/addressbook/', url).href,
    credentials: { username: 'ada', password: 'xandikos-test-pw' },
    process: child,
    stop: () => child.stop(),
  };
}
