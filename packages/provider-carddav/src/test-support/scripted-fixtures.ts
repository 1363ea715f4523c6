/**
 * A small vCard 3.0 for the protocol tests (the protocol never reads it; CRLF line ends).
 *
 * @example
 * ```ts
 * server.book.put('1.vcf', vcard('1', 'Ada Lovelace'));
 * ```
 */
export function vcard(uid: string, name: string): string {
  return ['BEGIN:VCARD', 'VERSION:3.0', `UID:${uid}`, `FN:${name}`, `N:${name};;;;`, 'END:VCARD', ''].join(
    '\r\n',
  );
}
