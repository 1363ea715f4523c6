/**
 * The XML namespaces CardDAV speaks. Servers pick their own prefixes (`d:`, `D:`, a default
 * `xmlns="DAV:"`), so elements are always matched by namespace URI and local name, never by
 * prefix.
 *
 * @example
 * ```ts
 * const isHref = (el: XmlElement) => el.ns === NS.dav && el.local === 'href';
 * ```
 */
export const NS = {
  dav: 'DAV:',
  carddav: 'urn:ietf:params:xml:ns:carddav',
  /** CalendarServer's extensions: `getctag` lives here. */
  calendarServer: 'http://calendarserver.org/ns/',
} as const;
