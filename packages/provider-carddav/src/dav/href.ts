function canonicalSegment(segment: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    // A stray `%` the server did not escape: keep the segment as written.
    return segment;
  }
  return encodeURIComponent(decoded);
}

/**
 * The absolute URL of an href, resolved against the URL that answered (hrefs may be absolute
 * paths, full URLs or, rarely, relative).
 *
 * @example
 * ```ts
 * resolveHref('/books/ada/1.vcf', new URL('https://dav.example.org/books/ada/')).href;
 * // 'https://dav.example.org/books/ada/1.vcf'
 * ```
 */
export function resolveHref(href: string, base: URL): URL {
  return new URL(href, base);
}

/**
 * The key two hrefs are compared by: origin plus the path with each segment decoded and
 * re-encoded one way, so `/a@b/1.vcf`, `/a%40b/1.vcf` and `https://host/a%40b/1.vcf` are the
 * same member (Net-CardDAVTalk 0.14), and a trailing slash does not matter.
 *
 * @example
 * ```ts
 * const base = new URL('https://dav.example.org/');
 * normalizeHref('/a@b/1.vcf', base) === normalizeHref('https://dav.example.org/a%40b/1.vcf', base); // true
 * ```
 */
export function normalizeHref(href: string, base: URL): string {
  const url = resolveHref(href, base);
  const path = url.pathname.split('/').map(canonicalSegment).join('/').replace(/\/+$/, '');
  return `${url.origin}${path}`;
}
