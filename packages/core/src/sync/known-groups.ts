/**
 * The contact groups a cycle knows, and when it lists them again: a full sync always lists them
 * (a full listing also forgets groups deleted at the source); an incremental sync only when a
 * page (or a retried failure) names a group the account's stored groups do not hold, at most once
 * a cycle. So a quiet poll costs the source one request, whatever the provider. What a listing
 * returned is kept in `contacts_sync_state.groups` with the next page the cycle commits (after
 * the retry of failed contacts, which follows the last page, by itself).
 */
import type { CanonicalGroup } from '../model/canonical-contact.js';

/**
 * Groups by external id, as `contacts_sync_state.groups` stores them.
 *
 * @example
 * ```ts
 * const stored: StoredGroups = { 'contactGroups/7f3a': { name: 'Climbing club', system: false } };
 * ```
 */
export type StoredGroups = Record<string, { name: string; system: boolean }>;

/**
 * The stored groups read back from the database, without whatever is not a group (a hand-edited
 * or foreign value reads as fewer known groups, which only makes the next page list them again).
 *
 * @example
 * ```ts
 * readStoredGroups({ 'contactGroups/1': { name: 'Family', system: false }, bad: 3 }); // { 'contactGroups/1': ... }
 * ```
 */
export function readStoredGroups(value: unknown): StoredGroups {
  const groups: StoredGroups = {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return groups;
  for (const [id, entry] of Object.entries(value as Record<string, unknown>)) {
    if (entry === null || typeof entry !== 'object') continue;
    const { name, system } = entry as { name?: unknown; system?: unknown };
    if (typeof name === 'string') groups[id] = { name, system: system === true };
  }
  return groups;
}

/**
 * The group ids `contacts` name (`group_memberships`), read from payloads not validated yet:
 * anything that is not a list of strings names none (the engine fails such a contact anyway).
 *
 * @example
 * ```ts
 * [...namedGroups([{ external_id: 'people/c1', group_memberships: ['contactGroups/myContacts'] }])]; // ['contactGroups/myContacts']
 * ```
 */
export function* namedGroups(contacts: readonly unknown[]): Generator<string> {
  for (const contact of contacts) {
    if (contact === null || typeof contact !== 'object') continue;
    const { group_memberships: named, deleted } = contact as {
      group_memberships?: unknown;
      deleted?: unknown;
    };
    if (deleted === true || !Array.isArray(named)) continue;
    for (const id of named) if (typeof id === 'string') yield id;
  }
}

/**
 * One cycle's view of the account's groups: the stored ones, replaced by a listing when the cycle
 * lists them, and added to by groups a page carries (`ContactBatch.groups`).
 *
 * @example
 * ```ts
 * const known = new KnownGroups(state.groups);
 * if (known.needsListing('incremental', batch.contacts)) known.listed(await provider.listGroups());
 * engine.replaceGroups(known.all());
 * ```
 */
export class KnownGroups {
  #groups: Map<string, { name: string; system: boolean }>;
  #listedThisCycle = false;
  #unsaved = false;

  constructor(stored: StoredGroups | null) {
    this.#groups = new Map(Object.entries(stored ?? {}));
  }

  /**
   * Whether the cycle should list the groups before it applies `contacts`: once a cycle at most,
   * always for a full listing, and for an incremental one when a contact names a group not known.
   * A group the listing did not return stays unknown (no label, as before) without listing again.
   */
  needsListing(kind: 'full' | 'incremental', contacts: readonly unknown[]): boolean {
    if (this.#listedThisCycle) return false;
    if (kind === 'full') return true;
    for (const id of namedGroups(contacts)) if (!this.#groups.has(id)) return true;
    return false;
  }

  /** What the source listed now replaces what was known (groups deleted there are forgotten). */
  listed(groups: readonly CanonicalGroup[]): void {
    this.#groups = new Map();
    this.#listedThisCycle = true;
    this.#unsaved = true;
    this.add(groups);
  }

  /** Adds or replaces groups (a deleted one is forgotten). */
  add(groups: readonly CanonicalGroup[]): void {
    for (const g of groups) {
      const held = this.#groups.get(g.external_id);
      if (g.deleted) {
        if (this.#groups.delete(g.external_id)) this.#unsaved = true;
      } else if (!held || held.name !== g.name || held.system !== g.system) {
        this.#groups.set(g.external_id, { name: g.name, system: g.system });
        this.#unsaved = true;
      }
    }
  }

  /** Every known group, as the engine takes them. */
  all(): CanonicalGroup[] {
    return [...this.#groups].map(([external_id, g]) => ({ external_id, ...g, deleted: false }));
  }

  /** The groups to store with the next page, or undefined when the stored ones are current. */
  toSave(): StoredGroups | undefined {
    return this.#unsaved ? Object.fromEntries(this.#groups) : undefined;
  }

  /** The groups of {@link toSave} were committed. */
  saved(): void {
    this.#unsaved = false;
  }
}
