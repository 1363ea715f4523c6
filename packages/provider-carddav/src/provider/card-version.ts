import { createHash } from 'node:crypto';
import { z } from 'zod';
import { sameEtag } from '../dav/etag.js';

/**
 * The version of a person as this provider sends it (the contact's `etag`, which the engine
 * stores and hands back through `knownEtags`): the card's ETag, and what else the contact is made
 * of. Group cards give their members labels (`X-ADDRESSBOOKSERVER-MEMBER`, `MEMBER`), so a
 * member's contact changes when a group card does while its own ETag does not: the version holds
 * a hash of those group ids, and a hash of the member's UID so that a provider that has not
 * downloaded the card (a new process) can still find which groups list it.
 *
 * @example
 * ```ts
 * const version: CardVersion = { etag: '"v3"', uid: uidKey('ada'), groups: groupsKey(['/book/team.vcf']) };
 * ```
 */
export interface CardVersion {
  /** The card's ETag as the server sent it (compared normalised). */
  etag: string;
  /** {@link uidKey} of the card's UID; null without one. */
  uid: string | null;
  /** {@link groupsKey} of the group cards that list the UID; null when none does. */
  groups: string | null;
}

const StoredVersion = z.strictObject({
  v: z.literal(1),
  etag: z.string(),
  uid: z.string().nullable(),
  groups: z.string().nullable(),
});

/** 128 bits of SHA-256, base64url: bounded, whatever a card holds. */
function digest(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 22);
}

/**
 * A UID as the version keeps it: hashed, so a hostile 1 MB UID costs 22 characters.
 *
 * @example
 * ```ts
 * uidKey('ada'); // 22 characters of base64url
 * uidKey(null); // null
 * ```
 */
export function uidKey(uid: string | null): string | null {
  return uid === null ? null : digest(`uid:${uid}`);
}

/**
 * The group ids of a member as the version keeps them: order and repeats do not matter.
 *
 * @example
 * ```ts
 * groupsKey(['/b/team.vcf', '/b/family.vcf']) === groupsKey(['/b/family.vcf', '/b/team.vcf']); // true
 * groupsKey([]); // null
 * ```
 */
export function groupsKey(groupIds: readonly string[]): string | null {
  if (groupIds.length === 0) return null;
  return digest(`groups:${[...new Set(groupIds)].sort().join('\n')}`);
}

/**
 * The text a version is stored as (the contact's `etag`).
 *
 * @example
 * ```ts
 * writeCardVersion({ etag: '"v3"', uid: null, groups: null }); // '{"v":1,"etag":"\"v3\"","uid":null,"groups":null}'
 * ```
 */
export function writeCardVersion(version: CardVersion): string {
  return JSON.stringify({ v: 1, etag: version.etag, uid: version.uid, groups: version.groups });
}

/**
 * A stored version read back; null for anything else (a plain ETag an older provider stored, no
 * version at all): such a card is downloaded and sent again, once.
 *
 * @example
 * ```ts
 * readCardVersion(writeCardVersion({ etag: '"v3"', uid: null, groups: null }))?.etag; // '"v3"'
 * readCardVersion('"v3"'); // null
 * ```
 */
export function readCardVersion(text: string | null | undefined): CardVersion | null {
  if (!text?.startsWith('{')) return null;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = StoredVersion.safeParse(json);
  return parsed.success ? { etag: parsed.data.etag, uid: parsed.data.uid, groups: parsed.data.groups } : null;
}

/**
 * Whether a stored version names the card as listed now: the same ETag (quotes and `W/` aside)
 * and the same group cards listing its UID.
 *
 * @example
 * ```ts
 * const held = readCardVersion(stored);
 * if (held && versionHolds(held, member.etag, groupsKey(index.get(held.uid) ?? []))) unchanged.push(id);
 * ```
 */
export function versionHolds(held: CardVersion, etag: string | null, groups: string | null): boolean {
  return sameEtag(held.etag, etag) && held.groups === groups;
}
