import { ProviderError } from '@contacts/core';
import { NS } from './namespaces.js';
import { child, children, parseXml, type XmlElement } from './xml.js';

/**
 * One `propstat` of a multistatus response: a status and the properties it applies to.
 *
 * @example
 * ```ts
 * const ok = response.propstats.find((p) => p.status === 200);
 * ```
 */
export interface DavPropstat {
  /** The HTTP status code of the `status` line (200 when the line is missing or unreadable). */
  status: number;
  props: XmlElement[];
}

/**
 * One `response` of a multistatus answer.
 *
 * @example
 * ```ts
 * const etag = findProp(response, NS.dav, 'getetag')?.text;
 * ```
 */
export interface DavResponse {
  /** The href exactly as the server wrote it (trimmed). */
  href: string;
  /** The response's own status line (a removed member's 404, a truncation's 507), or null. */
  status: number | null;
  propstats: DavPropstat[];
  /** The `DAV:error` element, when the server gave one. */
  error: XmlElement | undefined;
}

/**
 * A parsed `DAV:multistatus` answer.
 *
 * @example
 * ```ts
 * const { responses, syncToken } = parseMultistatus(body);
 * ```
 */
export interface Multistatus {
  responses: DavResponse[];
  /** The top-level `sync-token` of a sync-collection answer, or null. */
  syncToken: string | null;
}

/**
 * The status code of an HTTP status line (`HTTP/1.1 404 Not Found` → 404), or null.
 *
 * @example
 * ```ts
 * statusCode('HTTP/1.1 507 Insufficient Storage'); // 507
 * ```
 */
export function statusCode(line: string | undefined): number | null {
  const match = line?.match(/^\s*HTTP\/\S+\s+(\d{3})\b/i);
  return match ? Number(match[1]) : null;
}

function readResponse(element: XmlElement): DavResponse {
  return {
    href: child(element, NS.dav, 'href')?.text.trim() ?? '',
    status: statusCode(child(element, NS.dav, 'status')?.text),
    propstats: children(element, NS.dav, 'propstat').map((propstat) => ({
      status: statusCode(child(propstat, NS.dav, 'status')?.text) ?? 200,
      props: child(propstat, NS.dav, 'prop')?.children ?? [],
    })),
    error: child(element, NS.dav, 'error'),
  };
}

/**
 * Reads a `DAV:multistatus` body (PROPFIND, sync-collection, multiget).
 *
 * @throws ProviderError `TEMPORARY` when the body is not XML or its root is not a multistatus.
 * @example
 * ```ts
 * const ms = parseMultistatus('<d:multistatus xmlns:d="DAV:"><d:sync-token>t1</d:sync-token></d:multistatus>');
 * ms.syncToken; // 't1'
 * ```
 */
export function parseMultistatus(body: string): Multistatus {
  const root = parseXml(body);
  if (root.ns !== NS.dav || root.local !== 'multistatus') {
    throw new ProviderError(
      'TEMPORARY',
      `The CardDAV server answered a <${root.local}> document where a multistatus was expected.`,
      { provider: 'carddav' },
    );
  }
  const token = child(root, NS.dav, 'sync-token')?.text.trim();
  return {
    responses: children(root, NS.dav, 'response').map(readResponse),
    syncToken: token ? token : null,
  };
}

/**
 * The value of a property found with a 2xx propstat, or undefined (a 404 propstat means the
 * server does not have it).
 *
 * @example
 * ```ts
 * findProp(response, NS.calendarServer, 'getctag')?.text; // '00042', never 42
 * ```
 */
export function findProp(response: DavResponse, ns: string, local: string): XmlElement | undefined {
  for (const propstat of response.propstats) {
    if (propstat.status < 200 || propstat.status > 299) continue;
    const prop = propstat.props.find((p) => p.ns === ns && p.local === local);
    if (prop) return prop;
  }
  return undefined;
}

/**
 * The text of the `DAV:href` inside a property (current-user-principal, addressbook-home-set),
 * or undefined.
 *
 * @example
 * ```ts
 * hrefInside(findProp(response, NS.dav, 'current-user-principal')); // '/user/'
 * ```
 */
export function hrefInside(prop: XmlElement | undefined): string | undefined {
  const text = child(prop, NS.dav, 'href')?.text.trim();
  return text ? text : undefined;
}
