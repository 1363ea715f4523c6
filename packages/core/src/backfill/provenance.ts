import {
  type DesiredAddress,
  type DesiredContact,
  type DesiredDate,
  type DesiredInfo,
  SCALAR_FIELDS,
  type ScalarField,
  type ScalarValues,
} from './desired-contact.js';
import { type ButlerRecord, type ContactProvenance, type SharedRecord, within } from './provenance-codec.js';

/**
 * A CRM contact as the engine holds it in memory while applying a page: its fields and rows as
 * one butler schema sees them, and the provenance of both (`provenance-codec.ts`).
 *
 * @example
 * ```ts
 * const [state] = (await loadContactStates(tx, 'relationship', [contactId])).values();
 * const outcome = applySourceContact(state, desired, 'google:default');
 * ```
 */
export interface ContactState {
  id: string;
  isNew: boolean;
  fields: ScalarValues;
  metadata: ContactProvenance;
  info: Map<string, DesiredInfo>;
  addresses: Map<string, DesiredAddress & { id?: string }>;
  dates: Map<string, DesiredDate & { id?: string }>;
  labels: Set<string>;
}

/** A field a person edited that the source now disagrees with. */
export interface FieldConflict {
  field: ScalarField;
  local_value: string | null;
  source_value: string | null;
  /**
   * Who wrote the value kept: `person` (a hand edit), or `another_source` (another source contact
   * linked to the same CRM contact, e.g. two address-book entries merged by a shared email).
   */
  kept_from: 'person' | 'another_source';
}

/** What applying one source contact to a state changed. */
export interface ApplyOutcome {
  changedFields: ScalarField[];
  added: string[];
  removed: string[];
  /** Child rows this source owns that it still has, with other details now (a year, a label). */
  modified: string[];
  conflicts: FieldConflict[];
}

/** Whether two versions of one child row (same key) differ in what is stored beside the key. */
function differs(a: object, b: object): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)].filter((k) => k !== 'id' && k !== 'key'));
  for (const k of keys) {
    if ((a as Record<string, unknown>)[k] !== (b as Record<string, unknown>)[k]) return true;
  }
  return false;
}

const empty = (v: string | null | undefined): boolean => v == null || v === '';

/** A shared record with where it is kept. */
interface Entry {
  source: string;
  externalId: string;
  record: SharedRecord;
}

/**
 * The shared records of a contact but `self`, in a stable order (source key, then id): `live`
 * still count; `deleted` ones, whose entries the source deleted, no longer hold anything, but
 * what they wrote was written by a source, not by a person.
 */
function sharedEntries(p: ContactProvenance, self: SharedRecord | undefined) {
  const live: Entry[] = [];
  const deleted: Entry[] = [];
  for (const source of [...p.shared.keys()].sort(compare)) {
    const byId = p.shared.get(source)!;
    for (const externalId of [...byId.keys()].sort(compare)) {
      const record = byId.get(externalId)!;
      if (record !== self) (record.deleted ? deleted : live).push({ source, externalId, record });
    }
  }
  return { live, deleted };
}

/** The records of {@link sharedEntries}. */
function sharedRecords(p: ContactProvenance, self: SharedRecord | undefined) {
  const { live, deleted } = sharedEntries(p, self);
  return { live: live.map((e) => e.record), deleted: deleted.map((e) => e.record) };
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The value the first of `live` records (in their stable order) wrote to `field`. */
function valueOfAnotherSource(live: readonly SharedRecord[], field: ScalarField): string | null {
  for (const record of live) {
    const value = record.fields[field];
    if (value != null && value !== '') return value;
  }
  return null;
}

/**
 * This butler's record of an entry: its own, else, for an entry it had linked before provenance
 * was kept per butler, the lists then stored for every butler (they were this butler's too).
 */
function butlerRecordOf(p: ContactProvenance, source: string, id: string): ButlerRecord | undefined {
  const own = p.butler.get(source)?.get(id);
  if (own) return own;
  return p.links.get(source)?.has(id) ? (p.shared.get(source)?.get(id)?.legacy ?? undefined) : undefined;
}

/** This butler's records of a contact but `self`: `live` (its link here not tombstoned), `deleted`. */
function butlerRecords(p: ContactProvenance, self: ButlerRecord | undefined) {
  const live: ButlerRecord[] = [];
  const deleted: ButlerRecord[] = [];
  for (const source of new Set([...p.butler.keys(), ...p.links.keys()])) {
    const ids = new Set([...(p.butler.get(source)?.keys() ?? []), ...(p.links.get(source)?.keys() ?? [])]);
    for (const id of ids) {
      const record = butlerRecordOf(p, source, id);
      if (record && record !== self) (p.links.get(source)?.get(id) === true ? deleted : live).push(record);
    }
  }
  return { live, deleted };
}

/** Keys of one kind that `records` contributed. */
function keysOf<R, K extends keyof R>(records: readonly R[], kind: K): Set<string> {
  const keys = new Set<string>();
  for (const record of records) for (const k of record[kind] as string[]) keys.add(k);
  return keys;
}

/** Child keys other records wrote: `held` by live ones (never removed for this one), or `claimable`. */
function othersOf<R, K extends keyof R>(records: { live: R[]; deleted: R[] }, kind: K) {
  const held = keysOf(records.live, kind);
  return { held, claimable: new Set([...held, ...keysOf(records.deleted, kind)]) };
}

/**
 * The records `desired` continues, taken out of the provenance (they become its record): its
 * own, else those of its previous ids (a rename). This butler's and the shared one apart.
 */
function takeOver(
  p: ContactProvenance,
  desired: DesiredContact,
  source: string,
): { shared: SharedRecord | undefined; butler: ButlerRecord | undefined } {
  const shared = within(p.shared, source);
  const parts = within(p.butler, source);
  const links = within(p.links, source);
  let previous = shared.get(desired.externalId);
  let previousPart = butlerRecordOf(p, source, desired.externalId);
  for (const oldId of desired.previousIds) {
    previous ??= shared.get(oldId);
    previousPart ??= butlerRecordOf(p, source, oldId);
    shared.delete(oldId);
    parts.delete(oldId);
    links.delete(oldId);
  }
  return { shared: previous, butler: previousPart };
}

/**
 * A field handed to another entry because the one that wrote it was deleted at the source.
 *
 * @example
 * ```ts
 * const handed: Handover[] = markSourceDeleted(state, 'google:default', 'people/c1');
 * // [{ source: 'google:default', externalId: 'people/c2', fields: ['job_title'] }]
 * ```
 */
export interface Handover {
  source: string;
  externalId: string;
  fields: ScalarField[];
}

/**
 * Records that `externalId` of `source` was deleted at the source (its link tombstoned): what it
 * wrote no longer holds a field or a row, yet is not taken for a person's edit either. A field
 * it held passes to the first live entry of the contact that has a value for it, as when a source
 * drops a value; one no live entry has stays, and is free for the next entry that brings one.
 * Handing over here, not when that entry is next applied, keeps the outcome the same whether the
 * entry came before or after the deletion in a listing, and a page applied twice the same.
 *
 * @example
 * ```ts
 * const handed = markSourceDeleted(state, 'google:default', 'people/c1');
 * ```
 */
export function markSourceDeleted(state: ContactState, source: string, externalId: string): Handover[] {
  const record = state.metadata.shared.get(source)?.get(externalId);
  within(state.metadata.links, source).set(externalId, true);
  if (!record) return [];
  record.deleted = true;
  const { live, deleted } = sharedEntries(state.metadata, undefined);
  const handed = new Map<Entry, Handover>();
  for (const field of SCALAR_FIELDS) {
    const current = state.fields[field];
    if (empty(current) || live.some((e) => e.record.fields[field] === current)) continue;
    if (!deleted.some((e) => e.record.fields[field] === current)) continue; // a person's value
    const heir = live.find((e) => !empty(e.record.fields[field]));
    if (!heir) continue;
    state.fields[field] = heir.record.fields[field]!;
    const entry = handed.get(heir) ?? { source: heir.source, externalId: heir.externalId, fields: [] };
    entry.fields.push(field);
    handed.set(heir, entry);
  }
  return [...handed.values()];
}

function syncChildren<T extends { key: string }>(
  current: Map<string, T>,
  desired: T[],
  previous: string[] | undefined,
  others: { held: Set<string>; claimable: Set<string> },
  outcome: ApplyOutcome,
  kind: string,
): string[] {
  const next = new Set(desired.map((d) => d.key));
  const claimed = new Set(previous);
  const contributed: string[] = [];
  for (const item of desired) {
    if (!current.has(item.key)) {
      current.set(item.key, item);
      outcome.added.push(`${kind}:${item.key}`);
      contributed.push(item.key);
    } else if (claimed.has(item.key) || others.claimable.has(item.key)) {
      contributed.push(item.key);
      // The source's own row, with new details (a birthday's year, which email is primary):
      // follow the source, keeping the row's id. A row a person had first is never touched.
      const existing = current.get(item.key)!;
      if (claimed.has(item.key) && differs(existing, item)) {
        current.set(item.key, { ...item, ...('id' in existing ? { id: existing.id } : {}) });
        outcome.modified.push(`${kind}:${item.key}`);
      }
    }
    // Otherwise a person had this value before the source brought it: it stays theirs, so the
    // source dropping it later does not remove it.
  }
  // Only what this source contributed and no longer has goes; a person's additions stay.
  for (const key of previous ?? []) {
    if (!next.has(key) && current.has(key) && !others.held.has(key)) {
      current.delete(key);
      outcome.removed.push(`${kind}:${key}`);
    }
  }
  return contributed;
}

/**
 * Applies one source contact to a CRM contact's in-memory state under the provenance rules,
 * and records what the source wrote: to the shared rows, and to this butler's rows.
 *
 * @example
 * ```ts
 * const outcome = applySourceContact(state, desired, 'google:default');
 * outcome.conflicts; // fields a person edited that the source now disagrees with
 * ```
 */
export function applySourceContact(
  state: ContactState,
  desired: DesiredContact,
  source: string,
): ApplyOutcome {
  const p = state.metadata;
  const { shared: previous, butler: previousPart } = takeOver(p, desired, source);
  const { live, deleted } = sharedRecords(p, previous);
  const outcome: ApplyOutcome = { changedFields: [], added: [], removed: [], modified: [], conflicts: [] };
  const record: SharedRecord = { fields: {}, info: [], deleted: false, legacy: previous?.legacy ?? null };
  const part: ButlerRecord = { addresses: [], dates: [], labels: [] };

  for (const field of SCALAR_FIELDS) {
    const current = state.fields[field];
    const next = desired.fields[field];
    const last = previous?.fields[field];
    const heldByAnother = live.some((r) => r.fields[field] === current);
    // A value only entries deleted at the source wrote is no one's, not a person's edit: a value
    // this entry brings replaces it (its absence does not empty it: the deletion kept it).
    const orphaned = !heldByAnother && deleted.some((r) => r.fields[field] === current);
    const owned =
      empty(current) || (previous !== undefined && current === last) || (orphaned && !empty(next));
    if (owned) {
      // A source that no longer has a value hands the field to another source that has one
      // rather than emptying it: an empty field is every source's to fill, so emptying it would
      // only have the next application of that other source fill it again (not idempotent).
      const value = empty(next) ? (valueOfAnotherSource(live, field) ?? next) : next;
      if (value !== current && !(empty(value) && field === 'name')) {
        state.fields[field] = value;
        outcome.changedFields.push(field);
      }
    } else if (next !== current && next !== last && !empty(next)) {
      outcome.conflicts.push({
        field,
        local_value: current,
        source_value: next,
        kept_from: heldByAnother ? 'another_source' : 'person',
      });
    }
    record.fields[field] = next;
  }

  const sharedOthers = { live, deleted };
  const butlerOthers = butlerRecords(p, previousPart);
  record.info = syncChildren(
    state.info,
    desired.info,
    previous?.info,
    othersOf(sharedOthers, 'info'),
    outcome,
    'info',
  );
  part.addresses = syncChildren(
    state.addresses,
    desired.addresses,
    previousPart?.addresses,
    othersOf(butlerOthers, 'addresses'),
    outcome,
    'address',
  );
  part.dates = syncChildren(
    state.dates,
    desired.dates,
    previousPart?.dates,
    othersOf(butlerOthers, 'dates'),
    outcome,
    'date',
  );
  const labelMap = new Map([...state.labels].map((name) => [name, { key: name }]));
  part.labels = syncChildren(
    labelMap,
    desired.labels.map((key) => ({ key })),
    previousPart?.labels,
    othersOf(butlerOthers, 'labels'),
    outcome,
    'label',
  );
  state.labels = new Set(labelMap.keys());

  within(p.shared, source).set(desired.externalId, record);
  within(p.butler, source).set(desired.externalId, part);
  within(p.links, source).set(desired.externalId, false);
  return outcome;
}
