/**
 * An ETag in the form used to compare two of them: `W/` dropped and the quotes removed, so a
 * server that sends `abc` one time and `"abc"` another (groupoffice#556) is not seen as a change.
 * The ETag itself is stored as the server sent it.
 *
 * @example
 * ```ts
 * normalizeEtag('"1a2b"'); // '1a2b'
 * normalizeEtag('W/"1a2b"'); // '1a2b'
 * normalizeEtag('1a2b'); // '1a2b'
 * ```
 */
export function normalizeEtag(etag: string): string {
  let value = etag.trim();
  if (value.startsWith('W/')) value = value.slice(2);
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
  return value;
}

/**
 * Whether two ETags name the same stored bytes (compared normalised; null equals nothing).
 *
 * @example
 * ```ts
 * sameEtag('"v1"', 'v1'); // true
 * sameEtag(null, 'v1'); // false
 * ```
 */
export function sameEtag(a: string | null | undefined, b: string | null | undefined): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return false;
  return normalizeEtag(a) === normalizeEtag(b);
}
