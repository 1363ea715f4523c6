import { ProviderError } from '@contacts/core';
import { describeUrl } from './dav-errors.js';
import type { DavTransport } from './dav-transport.js';
import { normalizeHref, resolveHref } from './href.js';
import { findProp, hrefInside } from './multistatus.js';
import { NS } from './namespaces.js';
import { propfind, selfResponse } from './propfind.js';
import type { DavPropName } from './request-bodies.js';
import { children, containsElement } from './xml.js';

/**
 * An address book found by discovery.
 *
 * @example
 * ```ts
 * const book: DiscoveredAddressBook = { url: 'https://dav.example.org/ada/contacts/', displayName: 'Contacts' };
 * ```
 */
export interface DiscoveredAddressBook {
  /** The book's absolute URL (a collection URL, with its trailing slash as the server wrote it). */
  url: string;
  displayName: string | null;
}

const START_PROPS: readonly DavPropName[] = [
  [NS.dav, 'resourcetype'],
  [NS.dav, 'displayname'],
  [NS.dav, 'current-user-principal'],
  [NS.carddav, 'addressbook-home-set'],
];
const LIST_PROPS: readonly DavPropName[] = [
  [NS.dav, 'resourcetype'],
  [NS.dav, 'displayname'],
];

function candidates(start: URL): URL[] {
  const wellKnown = new URL('/.well-known/carddav', start);
  if (start.pathname === '/' || start.pathname === '') return [wellKnown, start];
  return [start];
}

function text(value: string | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

async function listBooks(transport: DavTransport, home: URL): Promise<DiscoveredAddressBook[]> {
  const result = await propfind(transport, home, '1', LIST_PROPS);
  const homeKey = normalizeHref(result.url.href, result.url);
  return result.multistatus.responses
    .filter((response) => normalizeHref(response.href, result.url) !== homeKey)
    .filter((response) =>
      containsElement(findProp(response, NS.dav, 'resourcetype'), NS.carddav, 'addressbook'),
    )
    .map((response) => ({
      url: resolveHref(response.href, result.url).href,
      displayName: text(findProp(response, NS.dav, 'displayname')?.text),
    }));
}

async function homesOfPrincipal(transport: DavTransport, principal: URL): Promise<URL[]> {
  const result = await propfind(transport, principal, '0', [[NS.carddav, 'addressbook-home-set']]);
  const self = selfResponse(result);
  const homeSet = self ? findProp(self, NS.carddav, 'addressbook-home-set') : undefined;
  return children(homeSet, NS.dav, 'href').map((href) => resolveHref(href.text.trim(), result.url));
}

/**
 * Finds the address books behind a user's `url` (RFC 6764 and RFC 6352): a server root (tries
 * `/.well-known/carddav` first, whose redirect the transport follows, then the root itself), a
 * `/.well-known/carddav` URL, a principal or home URL, or one book's URL (then that book
 * alone). From the start resource: `current-user-principal`, its `addressbook-home-set`, then a
 * Depth 1 listing of each home, keeping the collections whose `resourcetype` holds
 * `CARDDAV:addressbook`.
 *
 * @throws ProviderError `PERMANENT` when nothing CardDAV answers at the url, `AUTH_FAILED` on 401,
 * `TEMPORARY` when the server cannot be reached.
 * @example
 * ```ts
 * const books = await discoverAddressBooks(transport, 'https://contacts.icloud.com/');
 * books.map((b) => b.url); // ['https://p42-contacts.icloud.com/1234/carddavhome/card/']
 * ```
 */
export async function discoverAddressBooks(
  transport: DavTransport,
  url: string | URL,
): Promise<DiscoveredAddressBook[]> {
  const start = new URL(url);
  const tried = candidates(start);
  for (const [index, candidate] of tried.entries()) {
    let result: Awaited<ReturnType<typeof propfind>>;
    try {
      result = await propfind(transport, candidate, '0', START_PROPS);
    } catch (error) {
      const last = index === tried.length - 1;
      // A well-known address the server does not serve (404, 405, a 500 page...): try the root.
      const notHere =
        error instanceof ProviderError && (error.code === 'PERMANENT' || error.code === 'TEMPORARY');
      if (!last && notHere) continue;
      throw error;
    }
    const self = selfResponse(result);
    if (!self) continue;
    const resourcetype = findProp(self, NS.dav, 'resourcetype');
    if (containsElement(resourcetype, NS.carddav, 'addressbook')) {
      return [
        {
          url: resolveHref(self.href || result.url.href, result.url).href,
          displayName: text(findProp(self, NS.dav, 'displayname')?.text),
        },
      ];
    }
    let homes = children(findProp(self, NS.carddav, 'addressbook-home-set'), NS.dav, 'href').map((href) =>
      resolveHref(href.text.trim(), result.url),
    );
    const principal = hrefInside(findProp(self, NS.dav, 'current-user-principal'));
    if (homes.length === 0 && principal !== undefined) {
      homes = await homesOfPrincipal(transport, resolveHref(principal, result.url));
    }
    // No principal: the url may be a home already (a collection of books).
    if (homes.length === 0 && containsElement(resourcetype, NS.dav, 'collection')) homes = [result.url];
    if (homes.length === 0) continue;
    const books: DiscoveredAddressBook[] = [];
    for (const home of homes) books.push(...(await listBooks(transport, home)));
    return books;
  }
  throw new ProviderError(
    'PERMANENT',
    `No CardDAV address book was found at ${describeUrl(start)}: check the url (a server root, its ` +
      '/.well-known/carddav address or an address book URL).',
    { provider: 'carddav' },
  );
}
