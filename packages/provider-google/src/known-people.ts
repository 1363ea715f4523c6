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
 * unchanged when the engine's live link for its resource name holds its etag: the engine wrote
 * this very version and would skip it if it were sent. What the engine would not skip unread is
 * always sent: a tombstone, a person without a resource name or etag, a renamed person
 * (`previousResourceNames`), and a resource name given twice in the page (the engine decides
 * which one wins). One difference is left: a person whose payload the provider now finds
 * problems in (a newer provider checking more) at a version the engine already wrote stays as
 * written until its etag changes, where sent it would become a failure row.
 * Without `knownEtags` (or with no person to ask about) it asks nothing.
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
  const times = new Map<string, number>();
  for (const v of versions) if (v) times.set(v.id, (times.get(v.id) ?? 0) + 1);
  // Asked about: live people whose resource name the page gives once.
  const asked = (v: LiveVersion | null): v is LiveVersion => v !== null && times.get(v.id) === 1;
  const ids = versions.filter(asked).map((v) => v.id);
  if (ids.length === 0) return { unchanged: [], changed: [...people] };
  const held = await knownEtags(ids);
  const unchanged: string[] = [];
  const changed: unknown[] = [];
  people.forEach((person, i) => {
    const version = versions[i] ?? null;
    if (asked(version) && held.get(version.id) === version.etag) unchanged.push(version.id);
    else changed.push(person);
  });
  return { unchanged, changed };
}

interface LiveVersion {
  id: string;
  etag: string;
}

/** The id and etag of a live, not renamed person as `normalizePerson` reads them, or null. */
function liveVersion(person: unknown): LiveVersion | null {
  const payload = record(person);
  const metadata = record(payload?.metadata);
  if (!payload || metadata?.deleted === true) return null;
  const previous = metadata?.previousResourceNames;
  if (Array.isArray(previous) && previous.length > 0) return null;
  const id = text(payload.resourceName);
  const etag = text(payload.etag);
  return id && etag ? { id, etag } : null;
}
