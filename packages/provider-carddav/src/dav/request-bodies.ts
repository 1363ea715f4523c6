import { NS } from './namespaces.js';
import { escapeXml } from './xml.js';

/**
 * A property to ask for, by namespace and local name.
 *
 * @example
 * ```ts
 * const ctag: DavPropName = [NS.calendarServer, 'getctag'];
 * ```
 */
export type DavPropName = readonly [ns: string, local: string];

const PREFIXES: Record<string, string> = { [NS.dav]: 'd', [NS.carddav]: 'card', [NS.calendarServer]: 'cs' };
const DECLARATIONS = `xmlns:d="${NS.dav}" xmlns:card="${NS.carddav}" xmlns:cs="${NS.calendarServer}"`;

function propElements(props: readonly DavPropName[]): string {
  return props
    .map(([ns, local]) => {
      const prefix = PREFIXES[ns];
      return prefix ? `<${prefix}:${local}/>` : `<x:${local} xmlns:x="${escapeXml(ns)}"/>`;
    })
    .join('');
}

/**
 * The body of a PROPFIND asking for these properties.
 *
 * @example
 * ```ts
 * propfindBody([[NS.dav, 'current-user-principal']]);
 * // '<?xml version="1.0" encoding="utf-8"?><d:propfind ...><d:prop><d:current-user-principal/></d:prop></d:propfind>'
 * ```
 */
export function propfindBody(props: readonly DavPropName[]): string {
  return `<?xml version="1.0" encoding="utf-8"?><d:propfind ${DECLARATIONS}><d:prop>${propElements(props)}</d:prop></d:propfind>`;
}

/**
 * The body of an RFC 6578 sync-collection REPORT: `sync-level` 1, the ETag of each member, and
 * an optional `limit` (servers may ignore it; Radicale does).
 *
 * @example
 * ```ts
 * syncCollectionBody(''); // the initial sync: an empty token
 * syncCollectionBody('http://radicale.org/ns/sync/abc', 500);
 * ```
 */
export function syncCollectionBody(syncToken: string, limit?: number): string {
  const limitXml = limit === undefined ? '' : `<d:limit><d:nresults>${limit}</d:nresults></d:limit>`;
  return (
    `<?xml version="1.0" encoding="utf-8"?><d:sync-collection ${DECLARATIONS}>` +
    `<d:sync-token>${escapeXml(syncToken)}</d:sync-token><d:sync-level>1</d:sync-level>${limitXml}` +
    '<d:prop><d:getetag/></d:prop></d:sync-collection>'
  );
}

/**
 * The body of an RFC 6352 addressbook-multiget REPORT for these hrefs (sent as the server
 * wrote them), asking for each card's ETag and data.
 *
 * @example
 * ```ts
 * multigetBody(['/books/ada/1.vcf', '/books/ada/2.vcf']);
 * ```
 */
export function multigetBody(hrefs: readonly string[]): string {
  const hrefXml = hrefs.map((href) => `<d:href>${escapeXml(href)}</d:href>`).join('');
  return (
    `<?xml version="1.0" encoding="utf-8"?><card:addressbook-multiget ${DECLARATIONS}>` +
    `<d:prop><d:getetag/><card:address-data/></d:prop>${hrefXml}</card:addressbook-multiget>`
  );
}
