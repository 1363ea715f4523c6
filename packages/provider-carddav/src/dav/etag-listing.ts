import type { DavTransport } from './dav-transport.js';
import { sameEtag } from './etag.js';
import { normalizeHref } from './href.js';
import { findProp } from './multistatus.js';
import { NS } from './namespaces.js';
import { propfind } from './propfind.js';
import type { DavPropName } from './request-bodies.js';
import type { DavMember } from './sync-collection.js';
import { containsElement } from './xml.js';

/**
 * A book's full member listing with the book's own change markers.
 *
 * @example
 * ```ts
 * const listing: EtagListing = await listMemberEtags(transport, bookUrl);
 * listing.members.length; // every card of the book
 * ```
 */
export interface EtagListing {
  /** The URL that answered: member hrefs resolve against it. */
  url: string;
  members: DavMember[];
  /** The book's `sync-token` at the time of the listing (Google's first sync takes it from here). */
  syncToken: string | null;
  ctag: string | null;
}

const LISTING_PROPS: readonly DavPropName[] = [
  [NS.dav, 'resourcetype'],
  [NS.dav, 'getetag'],
  [NS.dav, 'sync-token'],
  [NS.calendarServer, 'getctag'],
];

/**
 * PROPFIND Depth 1 of a book for every member's href and ETag: the listing of servers without
 * sync-collection (DAVx5's and vdirsyncer's fallback) and the first sync of servers that refuse
 * an empty token. The book itself and sub-collections are left out; members are never filtered
 * by extension (Google's hrefs have no `.vcf`).
 *
 * @throws ProviderError as `propfind` does.
 * @example
 * ```ts
 * const { members, syncToken } = await listMemberEtags(transport, bookUrl);
 * ```
 */
export async function listMemberEtags(transport: DavTransport, bookUrl: string | URL): Promise<EtagListing> {
  const result = await propfind(transport, bookUrl, '1', LISTING_PROPS);
  const selfKey = normalizeHref(result.url.href, result.url);
  const listing: EtagListing = { url: result.url.href, members: [], syncToken: null, ctag: null };
  for (const response of result.multistatus.responses) {
    if (normalizeHref(response.href, result.url) === selfKey) {
      listing.syncToken = findProp(response, NS.dav, 'sync-token')?.text.trim() || null;
      listing.ctag = findProp(response, NS.calendarServer, 'getctag')?.text.trim() || null;
      continue;
    }
    if (!response.href || (response.status !== null && (response.status < 200 || response.status > 299)))
      continue;
    if (containsElement(findProp(response, NS.dav, 'resourcetype'), NS.dav, 'collection')) continue;
    listing.members.push({
      href: response.href,
      etag: findProp(response, NS.dav, 'getetag')?.text.trim() || null,
    });
  }
  return listing;
}

/**
 * What a listing means against the (href, ETag) pairs already held.
 *
 * @example
 * ```ts
 * const plan: ListingPlan = planListing(held, listing.members, new URL(listing.url));
 * await fetchCards(transport, bookUrl, plan.fetch.map((m) => m.href));
 * ```
 */
export interface ListingPlan {
  /** New members and members whose ETag changed (or is unknown): to download. */
  fetch: DavMember[];
  /** Members whose ETag is the one held: neither downloaded nor written. */
  unchanged: DavMember[];
  /** Held hrefs the listing no longer has: deleted on the server. */
  deleted: string[];
}

/**
 * Compares a complete listing with the pairs held (href → ETag as stored): hrefs compared
 * normalised (`@` vs `%40`, absolute vs path), ETags compared normalised (quotes, `W/`).
 *
 * @example
 * ```ts
 * planListing(new Map([['/b/1.vcf', '"v1"']]), [{ href: '/b/1.vcf', etag: 'v1' }], base);
 * // { fetch: [], unchanged: [{ href: '/b/1.vcf', etag: 'v1' }], deleted: [] }
 * ```
 */
export function planListing(
  held: ReadonlyMap<string, string | null>,
  members: readonly DavMember[],
  base: URL,
): ListingPlan {
  const heldByKey = new Map<string, { href: string; etag: string | null }>();
  for (const [href, etag] of held) heldByKey.set(normalizeHref(href, base), { href, etag });
  const plan: ListingPlan = { fetch: [], unchanged: [], deleted: [] };
  const listed = new Set<string>();
  for (const member of members) {
    const key = normalizeHref(member.href, base);
    listed.add(key);
    const known = heldByKey.get(key);
    if (known && sameEtag(known.etag, member.etag)) plan.unchanged.push(member);
    else plan.fetch.push(member);
  }
  for (const [key, { href }] of heldByKey) if (!listed.has(key)) plan.deleted.push(href);
  return plan;
}
