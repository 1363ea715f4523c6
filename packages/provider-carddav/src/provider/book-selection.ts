import type { DiscoveredAddressBook } from '../dav/discovery.js';

/**
 * The last path segment of a book's URL, decoded (`contacts` for `https://h/ada/contacts/`).
 *
 * @example
 * ```ts
 * bookSegment('https://dav.example.org/ada/My%20Book/'); // 'My Book'
 * ```
 */
export function bookSegment(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/\/+$/, '').split('/').at(-1) ?? '');
}

/**
 * Whether the `books` setting names `book`: by URL, display name or last path segment. No
 * setting (or an empty one) names every book.
 *
 * @example
 * ```ts
 * bookWanted({ url: 'https://h/ada/contacts/', displayName: 'Contacts' }, ['Contacts']); // true
 * ```
 */
export function bookWanted(book: DiscoveredAddressBook, wanted: readonly string[] | undefined): boolean {
  if (!wanted?.length) return true;
  return wanted.some((w) => w === book.url || w === book.displayName || w === bookSegment(book.url));
}
