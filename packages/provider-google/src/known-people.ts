import type { KnownEtags } from '@contacts/core';
import { record, text } from './read-json.js';

/** A page's people split by what the engine already holds. */
export interface KnownPeople {
  /** Resource names whose etag the engine holds: reported as `unchanged`, never mapped. */
  unchanged: string[];
  /** Everything else, as it came: mapped and sent. Tombstones always go here. */
  changed: unknown[];
}

/**
 * Splits a page's people by the versions the engine holds (`knownEtags`, one query a page), so
 * that an unchanged person costs neither `normalizePerson` nor its copy of the payload: on an
 * unchanged full sync of 25,000 that mapping was most of the provider's time. A person is
 * unchanged when the engine's live link for its resource name holds its etag, which is exactly
 * when the engine would skip it if it were sent; a tombstone or a person without a resource name
 * or etag is always sent. Without `knownEtags` (or with no person to ask about) it asks nothing.
 *
 * @example
 * ```ts
 * const { unchanged, changed } = await splitKnownPeople(page.people, request.knownEtags);
 * const contacts = changed.map((person) => normalizePerson(person as Schema$Person, { source: 'connections' }));
 * ```
 */
export async function splitKnownPeople(
  people: readonly unknown[],
  knownEtags: KnownEtags | undefined,
): Promise<KnownPeople> {
  if (!knownEtags) return { unchanged: [], changed: [...people] };
  const versions = people.map(liveVersion);
  const ids = versions.flatMap((version) => (version ? [version.id] : []));
  if (ids.length === 0) return { unchanged: [], changed: [...people] };
  const held = await knownEtags(ids);
  const unchanged: string[] = [];
  const changed: unknown[] = [];
  people.forEach((person, i) => {
    const version = versions[i];
    if (version && held.get(version.id) === version.etag) unchanged.push(version.id);
    else changed.push(person);
  });
  return { unchanged, changed };
}

/** The id and etag of a live person as `normalizePerson` reads them, or null. */
function liveVersion(person: unknown): { id: string; etag: string } | null {
  const payload = record(person);
  if (!payload || record(payload.metadata)?.deleted === true) return null;
  const id = text(payload.resourceName);
  const etag = text(payload.etag);
  return id && etag ? { id, etag } : null;
}
