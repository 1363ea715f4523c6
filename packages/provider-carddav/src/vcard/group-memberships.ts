import type { CanonicalContactInput, CanonicalGroup } from '@contacts/core';
import { categoryGroupId } from './card-identity.js';
import type { VCardResult } from './parse-vcard.js';

/**
 * Which groups name each member: member UID → the external ids of the group cards that list it.
 * Group cards hold the membership (the member's own card does not say), so the provider turns
 * them around before the members are applied.
 *
 * @example
 * ```ts
 * membershipIndex([{ group: { external_id: '/g.vcf', name: 'Family', system: false, deleted: false }, memberUids: ['ada'] }]);
 * // Map { 'ada' => ['/g.vcf'] }
 * ```
 */
export function membershipIndex(
  groups: readonly { group: CanonicalGroup; memberUids: readonly string[] }[],
): Map<string, string[]> {
  const index = new Map<string, string[]>();
  for (const { group, memberUids } of groups) {
    for (const uid of memberUids) {
      const ids = index.get(uid) ?? [];
      if (!ids.includes(group.external_id)) ids.push(group.external_id);
      index.set(uid, ids);
    }
  }
  return index;
}

/**
 * The people, groups and labels of a set of parsed cards (a whole book, or an export): each
 * person's `group_memberships` gains the group cards that list its UID, next to its CATEGORIES;
 * `groups` holds every group card and one group per category name (id `category:<name>`), so
 * both group models become labels named after the group.
 *
 * @example
 * ```ts
 * const { contacts, groups } = collectGroups(parseVCards(text));
 * groups.map((g) => g.name); // ['Family', 'Climbing']
 * ```
 */
export function collectGroups(results: readonly VCardResult[]): {
  contacts: CanonicalContactInput[];
  groups: CanonicalGroup[];
} {
  const groupCards = results.flatMap((r) => (r.kind === 'group' ? [r] : []));
  const index = membershipIndex(groupCards);
  const categories = new Set<string>();
  const contacts = results.flatMap((result) => {
    if (result.kind !== 'contact') return [];
    for (const category of result.categories) categories.add(category);
    const fromGroups = result.uid === null ? [] : (index.get(result.uid) ?? []);
    const memberships = [...new Set([...(result.contact.group_memberships ?? []), ...fromGroups])];
    return [{ ...result.contact, group_memberships: memberships }];
  });
  const groups: CanonicalGroup[] = [
    ...groupCards.map((card) => card.group),
    ...[...categories].map((name) => ({
      external_id: categoryGroupId(name),
      name,
      system: false,
      deleted: false,
    })),
  ];
  return { contacts, groups };
}
