import type { DavTransport } from './dav-transport.js';
import { findProp } from './multistatus.js';
import { NS } from './namespaces.js';
import { propfind, selfResponse } from './propfind.js';
import type { DavPropName } from './request-bodies.js';
import { children, containsElement, type XmlElement } from './xml.js';

/**
 * What one Depth 0 PROPFIND tells about a book: its change markers and what it can do.
 *
 * @example
 * ```ts
 * const state: AddressBookState = await readAddressBookState(transport, bookUrl);
 * if (state.syncToken === saved.syncToken) return; // nothing changed: one request
 * ```
 */
export interface AddressBookState {
  /** The URL that answered (after redirects). */
  url: string;
  displayName: string | null;
  /** `DAV:sync-token` as sent (a URI on Radicale and SabreDAV, a bare SHA on Xandikos), or null. */
  syncToken: string | null;
  /** CalendarServer's `getctag` as sent (text, never a number), or null. */
  ctag: string | null;
  /** Whether the book offers sync-collection; null when the server does not list its reports. */
  supportsSyncCollection: boolean | null;
  /** Whether the book offers addressbook-multiget; null when the server does not list its reports. */
  supportsMultiget: boolean | null;
  /** `CARDDAV:max-resource-size` in bytes, or null. */
  maxResourceSize: number | null;
}

const STATE_PROPS: readonly DavPropName[] = [
  [NS.dav, 'displayname'],
  [NS.dav, 'sync-token'],
  [NS.calendarServer, 'getctag'],
  [NS.dav, 'supported-report-set'],
  [NS.carddav, 'max-resource-size'],
];

function text(element: XmlElement | undefined): string | null {
  const value = element?.text.trim();
  return value ? value : null;
}

function reportSupport(set: XmlElement | undefined, ns: string, local: string): boolean | null {
  if (!set) return null;
  return children(set, NS.dav, 'supported-report').some((entry) => containsElement(entry, ns, local));
}

/**
 * One Depth 0 PROPFIND of a book: its sync-token, ctag, supported reports and size limit. This is
 * the whole of a quiet poll: an unchanged token (or ctag, when the server has no token) means
 * nothing changed (see {@link bookUnchanged}).
 *
 * @throws ProviderError as `propfind` does.
 * @example
 * ```ts
 * const state = await readAddressBookState(transport, 'http://127.0.0.1:5232/ada/contacts/');
 * state.syncToken; // 'http://radicale.org/ns/sync/5f1c...'
 * ```
 */
export async function readAddressBookState(
  transport: DavTransport,
  bookUrl: string | URL,
): Promise<AddressBookState> {
  const result = await propfind(transport, bookUrl, '0', STATE_PROPS);
  const self = selfResponse(result);
  const prop = (ns: string, local: string) => (self ? findProp(self, ns, local) : undefined);
  const reports = prop(NS.dav, 'supported-report-set');
  const size = text(prop(NS.carddav, 'max-resource-size'));
  return {
    url: result.url.href,
    displayName: text(prop(NS.dav, 'displayname')),
    syncToken: text(prop(NS.dav, 'sync-token')),
    ctag: text(prop(NS.calendarServer, 'getctag')),
    supportsSyncCollection: reportSupport(reports, NS.dav, 'sync-collection'),
    supportsMultiget: reportSupport(reports, NS.carddav, 'addressbook-multiget'),
    maxResourceSize: size !== null && /^\d+$/.test(size) ? Number(size) : null,
  };
}

/**
 * Whether a book is unchanged since `previous`: the same sync-token when both have one,
 * otherwise the same ctag; with neither, it cannot tell (false: list the book).
 *
 * @example
 * ```ts
 * bookUnchanged({ syncToken: 't1', ctag: null }, { syncToken: 't1', ctag: null }); // true
 * bookUnchanged({ syncToken: null, ctag: '7' }, { syncToken: null, ctag: '8' }); // false
 * ```
 */
export function bookUnchanged(
  previous: Pick<AddressBookState, 'syncToken' | 'ctag'>,
  current: Pick<AddressBookState, 'syncToken' | 'ctag'>,
): boolean {
  if (previous.syncToken !== null && current.syncToken !== null)
    return previous.syncToken === current.syncToken;
  if (previous.ctag !== null && current.ctag !== null) return previous.ctag === current.ctag;
  return false;
}

/**
 * Whether to use sync-collection on a book: listed among its reports, or, when the server does
 * not list them, whenever it has a sync-token.
 *
 * @example
 * ```ts
 * const strategy = usesSyncCollection(state) ? 'sync-collection' : 'etag-listing';
 * ```
 */
export function usesSyncCollection(state: AddressBookState): boolean {
  return state.supportsSyncCollection ?? state.syncToken !== null;
}
