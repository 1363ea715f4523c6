import { type CardProperty, listTexts, valueText } from './jcard.js';

/**
 * A UID as group members name it: `urn:uuid:` dropped (Apple and vCard 4 write members as
 * `urn:uuid:<UID>` while the member's own UID may be bare), and a UUID lower-cased (iCloud writes
 * them upper-case on one side and tools lower-case on the other). Other UIDs are kept as given.
 *
 * @example
 * ```ts
 * memberUid('urn:uuid:03A0E51F-D1AA-4385-8A53-E29025ACD8AF'); // '03a0e51f-d1aa-4385-8a53-e29025acd8af'
 * memberUid('ada-1@example.org'); // 'ada-1@example.org'
 * ```
 */
export function memberUid(value: string): string {
  // NUL cannot be stored (PostgreSQL text) and a UID of NULs alone identifies nothing.
  const bare = value
    .replaceAll('\u0000', '')
    .trim()
    .replace(/^urn:uuid:/i, '');
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(bare)
    ? bare.toLowerCase()
    : bare;
}

/**
 * The group id a CATEGORIES value becomes: CardDAV has no group object for categories, so the
 * provider lists one group per category name, with this id, named after the category.
 *
 * @example
 * ```ts
 * categoryGroupId('Climbing club'); // 'category:Climbing club'
 * ```
 */
export function categoryGroupId(name: string): string {
  return `category:${name}`;
}

/**
 * The card's UID (as {@link memberUid} writes it), or null.
 *
 * @example
 * ```ts
 * cardUid([readProperty(['uid', {}, 'text', 'urn:uuid:ABC'])]); // 'ABC'
 * ```
 */
export function cardUid(properties: readonly CardProperty[]): string | null {
  const property = properties.find((p) => p.name === 'uid');
  const value = property ? valueText(property) : null;
  return value === null ? null : memberUid(value) || null;
}

/**
 * Whether a card is a group: vCard 4's `KIND:group` or Apple's `X-ADDRESSBOOKSERVER-KIND:group`.
 *
 * @example
 * ```ts
 * isGroupCard([readProperty(['x-addressbookserver-kind', {}, 'unknown', 'group'])]); // true
 * ```
 */
export function isGroupCard(properties: readonly CardProperty[]): boolean {
  return properties.some(
    (p) =>
      (p.name === 'kind' || p.name === 'x-addressbookserver-kind') && valueText(p)?.toLowerCase() === 'group',
  );
}

/**
 * The member UIDs of a group card (`MEMBER` and `X-ADDRESSBOOKSERVER-MEMBER`), each once.
 *
 * @example
 * ```ts
 * groupMemberUids([readProperty(['member', {}, 'uri', 'urn:uuid:abc'])]); // ['abc']
 * ```
 */
export function groupMemberUids(properties: readonly CardProperty[]): string[] {
  const uids = properties
    .filter((p) => p.name === 'member' || p.name === 'x-addressbookserver-member')
    .flatMap(listTexts)
    .map(memberUid)
    .filter((uid) => uid !== '');
  return [...new Set(uids)];
}
