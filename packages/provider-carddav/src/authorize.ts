import { credentialUrlProblem, type ProviderAuthorization, ProviderError } from '@contacts/core';
import { readAddressBookState } from './dav/book-state.js';
import { describeUrl } from './dav/dav-errors.js';
import { DavTransport, type DavTransportOptions } from './dav/dav-transport.js';
import { discoverAddressBooks } from './dav/discovery.js';
import { CARDDAV_AUTHORIZE_INPUTS, type CardDavSettings } from './descriptor.js';
import { bookSegment, bookWanted } from './provider/book-selection.js';

const provider = 'carddav';

/**
 * Builds `contacts auth carddav`: connects to the server at `url` (the `--url` flag, else the
 * source's `url`) with the user name and password, discovers the address books there, reads
 * the state of each one the source will sync once (so a password that discovery alone would not
 * test is tested), tells
 * the person what it found, and resolves with the user name and password to store. Nothing is
 * stored when the server refuses them: the 401 is `AUTH_FAILED` with the sentence about
 * app-specific passwords. `fetch` is for tests.
 *
 * @example
 * ```ts
 * const credentials = await carddavAuthorization().run({
 *   accountId: 'default', settings: {}, signal, logger, showUrl: () => {}, say: console.log,
 *   inputs: { url: 'https://carddav.fastmail.com/', username: 'ada@fastmail.com', password: 'app-password' },
 * });
 * ```
 */
export function carddavAuthorization(
  options: { fetch?: DavTransportOptions['fetch'] } = {},
): ProviderAuthorization<CardDavSettings> {
  return {
    inputs: CARDDAV_AUTHORIZE_INPUTS,
    async run({ settings, inputs, say, signal, logger }) {
      const url = inputs.url ?? '';
      const username = inputs.username ?? '';
      const password = inputs.password ?? '';
      const problem = credentialUrlProblem(url);
      if (problem) {
        throw new ProviderError('PERMANENT', `The CardDAV url ${problem}: it receives the password.`, {
          provider,
        });
      }
      signal.throwIfAborted();
      const transport = new DavTransport({
        site: url,
        credentials: { username, password },
        fetch: options.fetch,
      });
      logger.debug('carddav authorization: discovering the address books', {
        url: describeUrl(new URL(url)),
      });
      const books = await discoverAddressBooks(transport, url);
      if (books.length === 0) {
        throw new ProviderError(
          'PERMANENT',
          `The password works, but the account has no address book at ${describeUrl(new URL(url))}: create one, or check the url.`,
          { provider },
        );
      }
      const wanted = settings.books;
      const synced = books.filter((book) => bookWanted(book, wanted));
      if (synced.length === 0) {
        throw new ProviderError(
          'PERMANENT',
          `The password works, but none of the ${books.length} address book(s) at ${describeUrl(new URL(url))} is one of the books configured (${wanted?.join(', ')}); found: ${books.map((b) => b.displayName ?? bookSegment(b.url)).join(', ')}.`,
          { provider },
        );
      }
      // Only the books the source will sync are read: one the person left out (a shared book
      // this account may not read, a huge one) neither costs a request nor fails the check.
      for (const book of synced) {
        signal.throwIfAborted();
        await readAddressBookState(transport, book.url);
      }
      say?.(`The server accepted the password; ${books.length} address book(s) at ${url}:`);
      for (const book of books) {
        const name = book.displayName ?? bookSegment(book.url);
        say?.(`  ${name}  ${book.url}${bookWanted(book, wanted) ? '' : '  (not synced: not in books)'}`);
      }
      if (settings.url !== undefined && settings.url !== url) {
        say?.(
          `Note: the source's table has url = "${settings.url}"; set url = "${url}" there to sync what was checked here.`,
        );
      } else if (settings.url === undefined) {
        say?.(`Set url = "${url}" in the source's [[modules.contacts.sources]] table to sync it.`);
      }
      return { username, password };
    },
  };
}
