/**
 * The one home of provenance as stored in `shared.contacts.metadata`: read (the current form and
 * the one before it) and written here, nowhere else.
 *
 * Stored form (`provenance-codec.test.ts` pins it):
 *
 * ```json
 * {
 *   "sources": {
 *     "<provider>:<account_id>": {
 *       "<external_id>": { "fields": { "job_title": "Engineer" }, "info": ["email|ada@example.org"], "deleted": true }
 *     }
 *   },
 *   "butler_sources": {
 *     "<butler schema>": {
 *       "<provider>:<account_id>": {
 *         "<external_id>": { "addresses": ["1 main st||..."], "dates": ["birthday|12|10"], "labels": ["Friends"] }
 *       }
 *     }
 *   }
 * }
 * ```
 *
 * `sources` covers the rows every butler shares (the contact's fields, `shared.contact_info`);
 * `butler_sources` the rows of each butler schema (addresses, important dates, labels), so that
 * each butler's rows are judged by what was written to that butler. `deleted` marks an entry
 * deleted at the source: it no longer counts, and a new entry of the same source linked to the
 * contact takes it over. Any other key of `metadata` is kept as it is.
 *
 * Before butler-keyed provenance, a `sources` record also held `addresses`, `dates` and `labels`
 * for every butler at once. Such lists are still read, by a butler that had linked the entry
 * (they were that butler's then) and has no record of its own yet, and are kept as they are.
 *
 * Keys are external ids and source keys as sources give them: any text, `__proto__` and
 * `constructor` included. They are held in Maps and written as own properties, never looked up
 * on a plain object.
 */
import { type SQL, sql } from 'drizzle-orm';
import { SCALAR_FIELDS, type ScalarField } from './desired-contact.js';

/**
 * A `sources` record as stored: what one source entry last wrote to the shared rows.
 *
 * @example
 * ```ts
 * const record: SourceRecord = { fields: { name: 'Ada Lovelace', first_name: 'Ada' }, info: ['email|ada@example.org'] };
 * ```
 */
export interface SourceRecord {
  fields: Partial<Record<ScalarField, string | null>>;
  info: string[];
  /** The entry was deleted at the source. */
  deleted?: true;
  /** Before butler-keyed provenance: child keys of every butler at once. */
  addresses?: string[];
  dates?: string[];
  labels?: string[];
}

/**
 * A `butler_sources` record as stored: what one source entry last wrote to one butler's rows.
 *
 * @example
 * ```ts
 * const record: ButlerSourceRecord = { addresses: [], dates: ['birthday|12|10'], labels: ['Friends'] };
 * ```
 */
export interface ButlerSourceRecord {
  addresses: string[];
  dates: string[];
  labels: string[];
}

/**
 * `metadata.sources`: source key -> external id -> record.
 *
 * @example
 * ```ts
 * const sources = (metadata as ProvenanceMetadata).sources ?? {};
 * const record = Object.hasOwn(sources, 'google:default') ? sources['google:default'] : undefined;
 * ```
 */
export type SourcesMetadata = Record<string, Record<string, SourceRecord>>;

/**
 * The provenance keys of `shared.contacts.metadata`.
 *
 * @example
 * ```ts
 * const parts = (row.metadata as ProvenanceMetadata).butler_sources?.relationship; // this butler's
 * ```
 */
export interface ProvenanceMetadata {
  sources?: SourcesMetadata;
  butler_sources?: Record<string, Record<string, Record<string, ButlerSourceRecord>>>;
}

/** What one source entry last wrote to the shared rows, in memory. */
export interface SharedRecord {
  fields: Partial<Record<ScalarField, string | null>>;
  info: string[];
  /** Deleted at the source (stored so, or this butler's link to it is tombstoned). */
  deleted: boolean;
  /** Lists stored before butler-keyed provenance, kept as they are. */
  legacy: ButlerRecord | null;
}

/** What one source entry last wrote to this butler's rows, in memory. */
export interface ButlerRecord {
  addresses: string[];
  dates: string[];
  labels: string[];
}

/** Source key -> external id -> record. */
export type BySource<T> = Map<string, Map<string, T>>;

/** One source link of this butler to the contact. */
export interface ContactLink {
  provider: string;
  accountId: string;
  externalId: string;
  deleted: boolean;
}

/** A contact's provenance as the engine works on it, for one butler schema. */
export interface ContactProvenance {
  readonly butlerSchema: string;
  shared: BySource<SharedRecord>;
  /** This butler's records. */
  butler: BySource<ButlerRecord>;
  /** This butler's links to the contact: source key -> external id -> tombstoned. */
  links: BySource<boolean>;
  /** Other butlers' records, as stored. */
  otherButlers: [string, unknown][];
  /** Every other key of `metadata`, as stored. */
  rest: [string, unknown][];
}

/**
 * The key of a source: provider and account.
 *
 * @example
 * ```ts
 * sourceKey('google', 'default'); // 'google:default'
 * ```
 */
export function sourceKey(provider: string, accountId: string): string {
  return `${provider}:${accountId}`;
}

/**
 * Provider and account of a source key (providers name no `:`; account ids may).
 *
 * @example
 * ```ts
 * parseSourceKey('google:work:eu'); // { provider: 'google', accountId: 'work:eu' }
 * ```
 */
export function parseSourceKey(key: string): { provider: string; accountId: string } {
  const at = key.indexOf(':');
  return at < 0
    ? { provider: key, accountId: '' }
    : { provider: key.slice(0, at), accountId: key.slice(at + 1) };
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];

/** Own entries only: a stored key `constructor` is data, and a missing one is not `Object`. */
const entries = (v: unknown): [string, unknown][] => (isObject(v) ? Object.entries(v) : []);

/** `map.get(key)`, created empty when absent. */
export function within<T>(map: BySource<T>, key: string): Map<string, T> {
  let inner = map.get(key);
  if (!inner) {
    inner = new Map();
    map.set(key, inner);
  }
  return inner;
}

function readFields(v: unknown): Partial<Record<ScalarField, string | null>> {
  const fields: Partial<Record<ScalarField, string | null>> = {};
  if (!isObject(v)) return fields;
  for (const field of SCALAR_FIELDS) {
    if (!Object.hasOwn(v, field)) continue;
    const value = v[field];
    if (typeof value === 'string' || value === null) fields[field] = value;
  }
  return fields;
}

function readButlerRecord(v: unknown): ButlerRecord {
  const r = isObject(v) ? v : {};
  return { addresses: strings(r.addresses), dates: strings(r.dates), labels: strings(r.labels) };
}

/**
 * Reads `metadata` (as stored, any form, even malformed) for one butler schema. `links` are that
 * butler's source links to the contact: a record whose link is tombstoned no longer counts.
 *
 * @example
 * ```ts
 * const p = decodeProvenance(JSON.parse(row.metadata), 'relationship', [
 *   { provider: 'google', accountId: 'default', externalId: 'people/c1', deleted: true },
 * ]);
 * p.shared.get('google:default')?.get('people/c1')?.deleted; // true
 * ```
 */
export function decodeProvenance(
  metadata: unknown,
  butlerSchema: string,
  links: Iterable<ContactLink> = [],
): ContactProvenance {
  const p = emptyProvenance(butlerSchema);
  for (const link of links) {
    within(p.links, sourceKey(link.provider, link.accountId)).set(link.externalId, link.deleted);
  }
  for (const [key, value] of entries(metadata)) {
    if (key === 'sources') {
      for (const [source, byId] of entries(value)) {
        const records = within(p.shared, source);
        for (const [id, stored] of entries(byId)) {
          if (!isObject(stored)) continue;
          const hasLegacy = ['addresses', 'dates', 'labels'].some((k) => Object.hasOwn(stored, k));
          records.set(id, {
            fields: readFields(stored.fields),
            info: strings(stored.info),
            deleted: stored.deleted === true || p.links.get(source)?.get(id) === true,
            legacy: hasLegacy ? readButlerRecord(stored) : null,
          });
        }
      }
    } else if (key === 'butler_sources') {
      for (const [butler, bySource] of entries(value)) {
        if (butler !== butlerSchema) {
          p.otherButlers.push([butler, bySource]);
          continue;
        }
        for (const [source, byId] of entries(bySource)) {
          const records = within(p.butler, source);
          for (const [id, stored] of entries(byId)) {
            if (isObject(stored)) records.set(id, readButlerRecord(stored));
          }
        }
      }
    } else {
      p.rest.push([key, value]);
    }
  }
  return p;
}

/**
 * Provenance without any record (a new contact).
 *
 * @example
 * ```ts
 * const p = emptyProvenance('relationship');
 * encodeProvenance(p); // {}
 * ```
 */
export function emptyProvenance(butlerSchema: string): ContactProvenance {
  return { butlerSchema, shared: new Map(), butler: new Map(), links: new Map(), otherButlers: [], rest: [] };
}

/** An object of `entries`, each an own property (`__proto__` too, unlike `obj[key] = value`). */
const objectOf = (list: Iterable<readonly [string, unknown]>): Record<string, unknown> =>
  Object.fromEntries(list);

function nested<T>(map: BySource<T>, write: (record: T) => unknown): Record<string, unknown> {
  return objectOf(
    [...map]
      .filter(([, byId]) => byId.size > 0)
      .map(([source, byId]) => [source, objectOf([...byId].map(([id, r]) => [id, write(r)]))] as const),
  );
}

const writeButlerRecord = (r: ButlerRecord) => ({
  addresses: [...r.addresses],
  dates: [...r.dates],
  labels: [...r.labels],
});

/**
 * The `metadata` to store: the current form (see the file comment), other keys as they were.
 *
 * @example
 * ```ts
 * await db.execute(sql`update shared.contacts set metadata = ${JSON.stringify(encodeProvenance(p))}::text::jsonb where id = ${id}`);
 * ```
 */
export function encodeProvenance(p: ContactProvenance): Record<string, unknown> {
  const sources = nested(p.shared, (r) =>
    objectOf([
      [
        'fields',
        objectOf(
          SCALAR_FIELDS.filter((f) => Object.hasOwn(r.fields, f)).map((f) => [f, r.fields[f] ?? null]),
        ),
      ],
      ['info', [...r.info]],
      ...(r.deleted ? [['deleted', true] as const] : []),
      ...(r.legacy ? Object.entries(writeButlerRecord(r.legacy)) : []),
    ]),
  );
  const mine = nested(p.butler, writeButlerRecord);
  const butlers = objectOf([
    ...p.otherButlers,
    ...(Object.keys(mine).length > 0 ? [[p.butlerSchema, mine] as const] : []),
  ]);
  return objectOf([
    ...p.rest,
    ...(Object.keys(sources).length > 0 ? [['sources', sources] as const] : []),
    ...(Object.keys(butlers).length > 0 ? [['butler_sources', butlers] as const] : []),
  ]);
}

/**
 * A deep copy, to diff against after applying a page.
 *
 * @example
 * ```ts
 * const before = cloneProvenance(state.metadata);
 * ```
 */
export function cloneProvenance(p: ContactProvenance): ContactProvenance {
  const copy = <T>(map: BySource<T>, one: (r: T) => T): BySource<T> =>
    new Map([...map].map(([k, byId]) => [k, new Map([...byId].map(([id, r]) => [id, one(r)]))]));
  return {
    butlerSchema: p.butlerSchema,
    shared: copy(p.shared, (r) => ({
      fields: { ...r.fields },
      info: [...r.info],
      deleted: r.deleted,
      legacy: r.legacy ? writeButlerRecord(r.legacy) : null,
    })),
    butler: copy(p.butler, writeButlerRecord),
    links: copy(p.links, (d) => d),
    otherButlers: [...p.otherButlers],
    rest: [...p.rest],
  };
}

/**
 * An `update shared.contacts ... returning 1` (for a CTE of a set-based statement) that marks
 * the `sources` records of entries deleted at `source` as `deleted`, as the engine does for the
 * tombstones of a page. `gone` names a relation of `(external_contact_id, local_contact_id)`:
 * one statement whatever its size.
 *
 * @example
 * ```ts
 * sql`with gone as (update ... returning l.external_contact_id, l.local_contact_id),
 *   flagged as (${markDeletedInProvenance(sql`gone`, 'google:default')})
 *   select count(*) from gone`
 * ```
 */
export function markDeletedInProvenance(gone: SQL, source: string): SQL {
  const records = sql`c.metadata -> 'sources' -> ${source}::text`;
  return sql`update shared.contacts c
    set metadata = jsonb_set(c.metadata, array['sources', ${source}::text], (
      select jsonb_object_agg(e.key, case when e.key = any(g.ids) and jsonb_typeof(e.value) = 'object'
        then e.value || '{"deleted": true}'::jsonb else e.value end)
      from jsonb_each(${records}) e))
    from (select g.local_contact_id as id, array_agg(g.external_contact_id) as ids from ${gone} g
      where g.local_contact_id is not null group by g.local_contact_id) g
    where c.id = g.id and jsonb_typeof(${records}) = 'object' and ${records} ?| g.ids
    returning 1`;
}
