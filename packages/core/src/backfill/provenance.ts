import {
  type DesiredAddress,
  type DesiredContact,
  type DesiredDate,
  type DesiredInfo,
  SCALAR_FIELDS,
  type ScalarField,
  type ScalarValues,
} from './desired-contact.js';

/**
 * What one source contact last wrote to a CRM contact, kept in
 * `contacts.metadata.sources["<provider>:<account_id>"]["<external_id>"]`: each scalar field's
 * value and the keys of the child rows it contributed. A field is the source's while its value
 * still equals what the source last wrote (or is empty); otherwise a person edited it.
 *
 * @example
 * ```ts
 * const record: SourceRecord = {
 *   fields: { name: 'Ada Lovelace', first_name: 'Ada' },
 *   info: ['email|ada@example.org'],
 *   addresses: [],
 *   dates: ['birthday|12|10'],
 *   labels: ['Friends'],
 * };
 * ```
 */
export interface SourceRecord {
  fields: Partial<Record<ScalarField, string | null>>;
  info: string[];
  addresses: string[];
  dates: string[];
  labels: string[];
}

/**
 * `metadata.sources`: source key -> external id -> record.
 *
 * @example
 * ```ts
 * const [row] = await db.select({ metadata: contacts.metadata }).from(contacts).where(eq(contacts.id, id));
 * const sources = (row?.metadata.sources ?? {}) as SourcesMetadata;
 * const record = sources['google:default']?.['people/c1']; // SourceRecord | undefined
 * ```
 */
export type SourcesMetadata = Record<string, Record<string, SourceRecord>>;

/** A CRM contact as the engine holds it in memory while applying a page. */
export interface ContactState {
  id: string;
  isNew: boolean;
  fields: ScalarValues;
  metadata: Record<string, unknown>;
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

function sourcesOf(state: ContactState): SourcesMetadata {
  const sources = state.metadata.sources;
  if (sources && typeof sources === 'object' && !Array.isArray(sources)) return sources as SourcesMetadata;
  const fresh: SourcesMetadata = {};
  state.metadata.sources = fresh;
  return fresh;
}

/** Keys of one kind contributed by every source record except `self`. */
function othersContribute(
  sources: SourcesMetadata,
  self: SourceRecord | undefined,
  kind: keyof Omit<SourceRecord, 'fields'>,
) {
  const keys = new Set<string>();
  for (const bySource of Object.values(sources)) {
    for (const record of Object.values(bySource)) {
      if (record !== self) for (const k of record[kind] ?? []) keys.add(k);
    }
  }
  return keys;
}

/** The value another source record (not `self`) last wrote to `field`, in a stable order. */
function valueOfAnotherSource(
  sources: SourcesMetadata,
  self: SourceRecord | undefined,
  field: ScalarField,
): string | null {
  for (const key of Object.keys(sources).sort()) {
    const bySource = sources[key] ?? {};
    for (const id of Object.keys(bySource).sort()) {
      const record = bySource[id];
      const value = record?.fields?.[field];
      if (record !== self && value != null && value !== '') return value;
    }
  }
  return null;
}

function syncChildren<T extends { key: string }>(
  current: Map<string, T>,
  desired: T[],
  previous: string[] | undefined,
  othersKeys: Set<string>,
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
    } else if (claimed.has(item.key) || othersKeys.has(item.key)) {
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
    if (!next.has(key) && current.has(key) && !othersKeys.has(key)) {
      current.delete(key);
      outcome.removed.push(`${kind}:${key}`);
    }
  }
  return contributed;
}

/**
 * Applies one source contact to a CRM contact's in-memory state under the provenance rules,
 * and records what the source wrote. `renamedFrom` carries a record over from an old external id.
 */
export function applySourceContact(
  state: ContactState,
  desired: DesiredContact,
  sourceKey: string,
): ApplyOutcome {
  const sources = sourcesOf(state);
  sources[sourceKey] ??= {};
  const bySource = sources[sourceKey];
  let previous = bySource[desired.externalId];
  for (const oldId of desired.previousIds) {
    if (!previous && bySource[oldId]) previous = bySource[oldId];
    delete bySource[oldId];
  }
  const outcome: ApplyOutcome = { changedFields: [], added: [], removed: [], modified: [], conflicts: [] };
  const record: SourceRecord = { fields: {}, info: [], addresses: [], dates: [], labels: [] };

  for (const field of SCALAR_FIELDS) {
    const current = state.fields[field];
    const next = desired.fields[field];
    const last = previous?.fields[field];
    const owned = empty(current) || (previous !== undefined && current === last);
    if (owned) {
      // A source that no longer has a value hands the field to another source that has one
      // rather than emptying it: an empty field is every source's to fill, so emptying it would
      // only have the next application of that other source fill it again (not idempotent).
      const value = empty(next) ? (valueOfAnotherSource(sources, previous, field) ?? next) : next;
      if (value !== current && !(empty(value) && field === 'name')) {
        state.fields[field] = value;
        outcome.changedFields.push(field);
      }
    } else if (next !== current && next !== last && !empty(next)) {
      const fromSource = Object.values(sources).some((bySrc) =>
        Object.values(bySrc).some((rec) => rec !== previous && rec.fields[field] === current),
      );
      outcome.conflicts.push({
        field,
        local_value: current,
        source_value: next,
        kept_from: fromSource ? 'another_source' : 'person',
      });
    }
    record.fields[field] = next;
  }

  const others = (kind: 'info' | 'addresses' | 'dates' | 'labels') =>
    othersContribute(sources, previous, kind);
  record.info = syncChildren(state.info, desired.info, previous?.info, others('info'), outcome, 'info');
  record.addresses = syncChildren(
    state.addresses,
    desired.addresses,
    previous?.addresses,
    others('addresses'),
    outcome,
    'address',
  );
  record.dates = syncChildren(state.dates, desired.dates, previous?.dates, others('dates'), outcome, 'date');
  const labelMap = new Map([...state.labels].map((name) => [name, { key: name }]));
  record.labels = syncChildren(
    labelMap,
    desired.labels.map((key) => ({ key })),
    previous?.labels,
    others('labels'),
    outcome,
    'label',
  );
  state.labels = new Set(labelMap.keys());

  bySource[desired.externalId] = record;
  return outcome;
}
