import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DavTransport,
  putCard,
  type RadicaleServer,
  startRadicale,
} from '@contacts/provider-carddav/testing';
import type { CardDavControl } from './carddav-types.js';
import { type CountingProxy, startCountingProxy } from './counting-proxy.js';
import { benchBook, benchCard, editedIndexes } from './generate-cards.js';

/** The book's name on the server (its URL is `/<user>/contacts/`). */
const BOOK = 'contacts';
/** Edits go to the server a few at a time, as a phone syncing a batch would. */
const EDIT_CONCURRENCY = 4;
/**
 * Radicale parses every card once to fill its item cache (~30 ms a card on a loaded 2-core
 * machine): the warm-up's deadline is generous, as it is no measurement.
 */
const WARM_UP_DEADLINE_MS = 30 * 60_000;

const PROPFIND_ETAGS =
  '<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:"><d:prop><d:getetag/><d:sync-token/></d:prop></d:propfind>';

function transportFor(radicale: RadicaleServer, timeoutMs?: number): DavTransport {
  return new DavTransport({
    site: radicale.url,
    credentials: radicale.credentials,
    ...(timeoutMs ? { timeoutMs } : {}),
  });
}

async function propfind(transport: DavTransport, url: string, depth: '0' | '1'): Promise<void> {
  const answer = await transport.request({ method: 'PROPFIND', url, depth, body: PROPFIND_ETAGS });
  if (answer.status !== 207) throw new Error(`Radicale answered ${answer.status} to a PROPFIND of ${url}.`);
}

/**
 * A Radicale storage folder holding a book of `cards` generated cards with Radicale's item cache
 * filled: written straight into a first server's storage, listed once (Radicale parses every
 * card then), copied to `dir`. Every run starts its own server from a copy, so no run pays for
 * the parsing and every run starts from the same book.
 *
 * @example
 * ```ts
 * const storage = await prepareRadicaleStorage(5000, '/tmp/bench-storage');
 * const book = await startRadicaleBook(storage, 5000);
 * ```
 */
export async function prepareRadicaleStorage(cards: number, dir: string): Promise<string> {
  const radicale = await startRadicale();
  try {
    const bookUrl = radicale.seedBook(BOOK, benchBook(cards));
    const transport = transportFor(radicale, WARM_UP_DEADLINE_MS);
    await propfind(transport, bookUrl, '1');
    await propfind(transport, bookUrl, '0');
    // Radicale is idle between requests: its folder is consistent to copy now.
    await cp(radicale.storage, dir, { recursive: true });
    return dir;
  } finally {
    await radicale.stop();
  }
}

/**
 * A Radicale server the parent runs for one CardDAV run: started on loopback from a copy of the
 * prepared storage (throwaway, removed by `stop()`), with a counting proxy in front. `control`
 * is what the measured process may ask of it.
 */
export interface RadicaleBook {
  control: CardDavControl;
  bookUrl: string;
  stop(): Promise<void>;
}

/**
 * Starts Radicale from `storage` (see {@link prepareRadicaleStorage}) and the counting proxy.
 *
 * @throws Error when Radicale is not installed or does not start (with its install sentence).
 * @example
 * ```ts
 * const book = await startRadicaleBook(storage, 5000);
 * await book.control.editCards(50);
 * await book.stop();
 * ```
 */
export async function startRadicaleBook(storage: string, cards: number): Promise<RadicaleBook> {
  const radicale = await startRadicale({ storageFrom: storage });
  let proxy: CountingProxy | undefined;
  try {
    const bookUrl = new URL(`/${radicale.credentials.username}/${BOOK}/`, radicale.url).href;
    const transport = transportFor(radicale, WARM_UP_DEADLINE_MS);
    // The first request of a new server process reads the cache files in: not measured either.
    await propfind(transport, bookUrl, '0');
    proxy = await startCountingProxy(radicale.url);
    const counting = proxy;
    let editRound = 0;
    const control: CardDavControl = {
      connection: { url: counting.url, ...radicale.credentials },
      async editCards(count) {
        editRound += 1;
        const queue = editedIndexes(cards, count);
        const total = queue.length;
        const worker = async () => {
          for (let index = queue.shift(); index !== undefined; index = queue.shift()) {
            const card = benchCard(index, editRound);
            await putCard(transport, new URL(card.name, bookUrl), card.vcard);
          }
        };
        await Promise.all(Array.from({ length: EDIT_CONCURRENCY }, worker));
        return total;
      },
      resetRequests: async () => counting.reset(),
      requestCounts: async () => counting.counts(),
    };
    return {
      control,
      bookUrl,
      async stop() {
        await counting.close();
        await radicale.stop();
      },
    };
  } catch (error) {
    await proxy?.close();
    await radicale.stop();
    throw error;
  }
}

/**
 * A temporary folder for the prepared storage, removed by the returned function.
 *
 * @example
 * ```ts
 * const { dir, remove } = await storageDir();
 * ```
 */
export async function storageDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const parent = await mkdtemp(join(tmpdir(), 'contacts-bench-radicale-'));
  return { dir: join(parent, 'storage'), remove: () => rm(parent, { recursive: true, force: true }) };
}
