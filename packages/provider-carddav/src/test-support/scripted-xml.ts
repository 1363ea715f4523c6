import type { ScriptedBook } from './scripted-book.js';
import type { ScriptedQuirks } from './scripted-server.js';

const OK = '<d:status>HTTP/1.1 200 OK</d:status>';

function escapeText(text: string): string {
  // CR as a character reference, as SabreDAV writes it (a raw CR may be normalised away by XML).
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('\r', '&#13;');
}

/**
 * A multistatus document with the scripted server's prefixes (upper-case `D:` for DAV and
 * `C:` for CardDAV, unlike the client's, so prefix handling is exercised).
 *
 * @example
 * ```ts
 * multistatus([memberResponse('/dav/home/book/1.vcf', '"v1"')], 'http://scripted.test/sync/1-1');
 * ```
 */
export function multistatus(responses: readonly string[], syncToken?: string): string {
  const token = syncToken === undefined ? '' : `<d:sync-token>${escapeText(syncToken)}</d:sync-token>`;
  return `<?xml version="1.0" encoding="utf-8"?><d:multistatus xmlns:d="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav">${responses.join('')}${token}</d:multistatus>`;
}

/**
 * A `DAV:error` body holding one precondition element.
 *
 * @example
 * ```ts
 * xmlError('valid-sync-token');
 * ```
 */
export function xmlError(precondition: string): string {
  return `<?xml version="1.0" encoding="utf-8"?><D:error xmlns:D="DAV:"><D:${precondition}/></D:error>`;
}

/**
 * The response for a collection: a principal/home pointer set, or an address book.
 *
 * @example
 * ```ts
 * collectionResponse('/dav/', { principal: '/dav/principal/', home: '/dav/home/' });
 * ```
 */
export function collectionResponse(
  href: string,
  about: { principal?: string; home?: string; addressbook?: boolean; name?: string },
): string {
  const type = about.addressbook ? '<d:collection/><C:addressbook/>' : '<d:collection/>';
  const principal = about.principal
    ? `<d:current-user-principal><d:href>${about.principal}</d:href></d:current-user-principal>`
    : '';
  const home = about.home
    ? `<C:addressbook-home-set><d:href>${about.home}</d:href></C:addressbook-home-set>`
    : '';
  const name = about.name ? `<d:displayname>${escapeText(about.name)}</d:displayname>` : '';
  return `<d:response><d:href>${href}</d:href><d:propstat><d:prop><d:resourcetype>${type}</d:resourcetype>${principal}${home}${name}</d:prop>${OK}</d:propstat></d:response>`;
}

/**
 * The book's own response: its markers (a ctag with leading zeros, to catch number coercion)
 * and supported reports, per the quirks.
 *
 * @example
 * ```ts
 * bookProps('/dav/home/book/', book, { noSyncCollection: true });
 * ```
 */
export function bookProps(href: string, book: ScriptedBook, quirks: ScriptedQuirks): string {
  const reports = [
    quirks.noSyncCollection
      ? ''
      : '<d:supported-report><d:report><d:sync-collection/></d:report></d:supported-report>',
    '<d:supported-report><d:report><C:addressbook-multiget/></d:report></d:supported-report>',
  ].join('');
  const token = quirks.noSyncCollection ? '' : `<d:sync-token>${escapeText(book.token())}</d:sync-token>`;
  const ctag = `<cs:getctag xmlns:cs="http://calendarserver.org/ns/">${String(book.seq).padStart(5, '0')}</cs:getctag>`;
  return `<d:response><d:href>${href}</d:href><d:propstat><d:prop><d:resourcetype><d:collection/><C:addressbook/></d:resourcetype><d:displayname>Scripted</d:displayname>${token}${ctag}<d:supported-report-set>${reports}</d:supported-report-set></d:prop>${OK}</d:propstat></d:response>`;
}

/**
 * A member's response: its ETag, and its vCard when `data` is given (a multiget).
 *
 * @example
 * ```ts
 * memberResponse('/dav/home/book/1.vcf', '"v1"', 'BEGIN:VCARD\r\n...');
 * ```
 */
export function memberResponse(href: string, etag: string, data?: string): string {
  const card = data === undefined ? '' : `<C:address-data>${escapeText(data)}</C:address-data>`;
  return `<d:response><d:href>${href}</d:href><d:propstat><d:prop><d:getetag>${escapeText(etag)}</d:getetag>${card}</d:prop>${OK}</d:propstat></d:response>`;
}
