import type { Clock } from '../clock.js';
import { EmulatorError } from '../errors.js';
import type { Prng } from '../generator/prng.js';
import { assemblePerson, resourceNameFor } from '../person-shape.js';
import type { PagePosition } from '../tokens.js';
import type { Person, PersonInput, SourceType } from '../types.js';
import { ChangeLog, type SequenceCounter, upperBound } from './change-log.js';
import { normalizePersonInput, personFields } from './normalize.js';

/** `sortOrder` values of `people.connections.list`. */
export const SORT_ORDERS = [
  'LAST_MODIFIED_ASCENDING',
  'LAST_MODIFIED_DESCENDING',
  'FIRST_NAME_ASCENDING',
  'LAST_NAME_ASCENDING',
] as const;
export type SortOrder = (typeof SORT_ORDERS)[number];

/** One person (or other contact) as the store holds it. `person` is replaced, never mutated. */
export interface PersonRecord {
  readonly id: string;
  readonly createSeq: number;
  changeSeq: number;
  version: number;
  person: Person;
  previousResourceNames: string[];
  deleted: boolean;
  /**
   * Set for a raw person: the JSON served for it as given, whatever it holds (its own
   * `resourceName` and `etag` or none, wrong types, duplicates of another person's id). `person`
   * is then an empty shell under the record's own resource name, which admin calls address it by
   * and whose etag changes with every version (tombstones carry it).
   */
  raw?: unknown;
  /**
   * Set for a raw person given as JSON text: served byte for byte, for JSON that no JavaScript
   * value serialises (nested 10,000 levels deep, `JSON.stringify` overflows the stack).
   */
  rawText?: string;
  /** Serialized field lists, filled as pages are rendered; dropped when `person` changes. */
  json?: Map<string, Buffer>;
}

/**
 * A deep copy of `value` as JSON (the raw person a record serves), or an `INVALID_INPUT` error
 * for what JSON cannot hold (undefined, a function, a BigInt, a cycle).
 */
function jsonCopy(value: unknown): unknown {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new EmulatorError('INVALID_INPUT', 'A raw person must be a JSON value.', { cause: error });
  }
  if (text === undefined) throw new EmulatorError('INVALID_INPUT', 'A raw person must be a JSON value.');
  return JSON.parse(text);
}

/** The JSON a raw person's text holds (`JSON.parse` keeps no stack per level), or `INVALID_INPUT`. */
function jsonOfText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new EmulatorError('INVALID_INPUT', 'A raw person given as text must be JSON text.', {
      cause: error,
    });
  }
}

/** The `resourceName` a raw person claims, when it is text. */
function claimedName(raw: unknown): string | undefined {
  const name = (raw as { resourceName?: unknown } | null)?.resourceName;
  return typeof name === 'string' && name !== '' ? name : undefined;
}

/** A full listing in one sort order, with the helpers page tokens need. */
export interface PeopleView {
  records: readonly PersonRecord[];
  startAfter(position: PagePosition): number;
  positionOf(record: PersonRecord, highWater: number): PagePosition;
}

/** The store's two people collections: contacts (`people/c…`) and other contacts (`otherContacts/c…`). */
export type PeopleKind = 'contact' | 'otherContact';

const sortKey = (record: PersonRecord, order: SortOrder): string => {
  const name = record.person.names?.[0];
  const key = order === 'FIRST_NAME_ASCENDING' ? (name?.givenName ?? name?.displayName) : name?.familyName;
  // People without the name part sort after everyone else, as in Google's UI.
  return key ? key.toLowerCase() : '\uffff';
};

/**
 * The people of one kind: current state, aliases of renamed people, and a change log for sync
 * tokens. Full listings run in creation order (stable while pages are read, which Google's
 * LAST_MODIFIED_ASCENDING is not), so an edit between two pages neither repeats nor skips anyone.
 */
export class PersonCollection {
  /** Bumped on every change; caches key on it. */
  version = 0;
  readonly changes = new ChangeLog<PersonRecord>();
  private readonly byId = new Map<string, PersonRecord>();
  private readonly byName = new Map<string, PersonRecord>();
  private readonly views = new Map<SortOrder, { version: number; view: PeopleView }>();
  private readonly sourceType: SourceType;
  private readonly prefix: string;

  constructor(
    readonly kind: PeopleKind,
    private readonly seq: SequenceCounter,
    private readonly clock: Clock,
    private readonly rng: Prng,
    private readonly checkInput: (input: PersonInput) => void = () => {},
  ) {
    this.sourceType = kind === 'contact' ? 'CONTACT' : 'OTHER_CONTACT';
    this.prefix = kind === 'contact' ? 'people/c' : 'otherContacts/c';
  }

  /** Adds a person exactly as given (from an address book): its etags and times are kept. */
  ingest(person: Person): PersonRecord {
    if (this.byName.has(person.resourceName)) {
      throw new EmulatorError(
        'INVALID_INPUT',
        `Duplicate resourceName ${person.resourceName} in the address book.`,
      );
    }
    const id = person.metadata?.sources?.[0]?.id ?? this.newId();
    if (this.byId.has(id))
      throw new EmulatorError('INVALID_INPUT', `Duplicate source id ${id} in the address book.`);
    const record: PersonRecord = {
      id,
      createSeq: this.seq.next(),
      changeSeq: 0,
      version: 1,
      person,
      previousResourceNames: [...(person.metadata?.previousResourceNames ?? [])],
      deleted: false,
    };
    record.changeSeq = record.createSeq;
    this.index(record);
    return record;
  }

  add(input: PersonInput): PersonRecord {
    const id = this.newId();
    const fields = normalizePersonInput(input, { type: this.sourceType, id });
    this.checkInput(fields);
    const seq = this.seq.next();
    const record: PersonRecord = {
      id,
      createSeq: seq,
      changeSeq: seq,
      version: 1,
      person: this.build(id, resourceNameFor(this.sourceType, id), 1, fields),
      previousResourceNames: [],
      deleted: false,
    };
    this.index(record);
    return record;
  }

  /**
   * Adds a raw person: `json` is served as given (a deep copy), in listings and sync responses,
   * whatever the field mask. It is addressed by a new resource name of its own, and also by the
   * `resourceName` it claims when that names no other record.
   */
  addRaw(json: unknown): PersonRecord {
    return this.addRawRecord(jsonCopy(json), undefined);
  }

  /** Adds a raw person served as the JSON `text` given, byte for byte (see {@link addRaw}). */
  addRawText(text: string): PersonRecord {
    return this.addRawRecord(jsonOfText(text), text);
  }

  private addRawRecord(raw: unknown, rawText: string | undefined): PersonRecord {
    const id = this.newId();
    const seq = this.seq.next();
    const record: PersonRecord = {
      id,
      createSeq: seq,
      changeSeq: seq,
      version: 1,
      person: this.build(id, resourceNameFor(this.sourceType, id), 1, {}),
      previousResourceNames: [],
      deleted: false,
      raw,
      ...(rawText === undefined ? {} : { rawText }),
    };
    this.index(record);
    this.alias(record, raw);
    return record;
  }

  /**
   * Replaces what a person serves by `json`, as given: a raw person's correction, or a normal
   * person turned raw. A change like any other: new version, new shell etag, a change-log entry,
   * so the next sync-token response carries it.
   */
  replaceRaw(resourceName: string, json: unknown): PersonRecord {
    return this.replaceRawRecord(resourceName, jsonCopy(json), undefined);
  }

  /** Replaces what a person serves by the JSON `text` given, byte for byte (see {@link replaceRaw}). */
  replaceRawText(resourceName: string, text: string): PersonRecord {
    return this.replaceRawRecord(resourceName, jsonOfText(text), text);
  }

  private replaceRawRecord(resourceName: string, raw: unknown, rawText: string | undefined): PersonRecord {
    const record = this.live(resourceName);
    record.raw = raw;
    record.rawText = rawText;
    this.change(record, record.person.resourceName, {});
    this.alias(record, raw);
    return record;
  }

  update(resourceName: string, input: PersonInput): PersonRecord {
    const record = this.live(resourceName);
    if (record.raw !== undefined) {
      throw new EmulatorError(
        'INVALID_INPUT',
        `${resourceName} is a raw person: replace its JSON (replaceRawPerson) instead of patching it.`,
      );
    }
    const fields = normalizePersonInput(input, { type: this.sourceType, id: record.id });
    this.checkInput(fields);
    return this.change(record, record.person.resourceName, { ...personFields(record.person), ...fields });
  }

  remove(resourceName: string): PersonRecord {
    const record = this.live(resourceName);
    record.deleted = true;
    return this.change(record, record.person.resourceName, personFields(record.person));
  }

  rename(resourceName: string, newResourceName?: string): PersonRecord {
    const record = this.live(resourceName);
    if (record.raw !== undefined) {
      throw new EmulatorError(
        'INVALID_INPUT',
        `${resourceName} is a raw person: it serves the resourceName its JSON holds; replace the JSON to rename it.`,
      );
    }
    const next = newResourceName ?? this.newRenameTarget();
    const pattern = this.kind === 'contact' ? /^people\/[A-Za-z0-9_-]+$/ : /^otherContacts\/[A-Za-z0-9_-]+$/;
    if (!pattern.test(next) || next === 'people/me') {
      throw new EmulatorError(
        'INVALID_INPUT',
        `${JSON.stringify(next)} is not a valid ${this.kind} resource name.`,
      );
    }
    if (this.byName.has(next)) throw new EmulatorError('INVALID_INPUT', `${next} is already taken.`);
    record.previousResourceNames = [...record.previousResourceNames, record.person.resourceName];
    this.byName.set(next, record);
    return this.change(record, next, personFields(record.person));
  }

  /** The record a resource name (current or former) refers to, deleted or not. */
  find(resourceName: string): PersonRecord | undefined {
    return this.byName.get(resourceName);
  }

  all(): IterableIterator<PersonRecord> {
    return this.byId.values();
  }

  /** Live (not deleted) records in `order`, cached until the next change. */
  view(order: SortOrder): PeopleView {
    const cached = this.views.get(order);
    if (cached?.version === this.version) return cached.view;
    const live = [...this.byId.values()].filter((record) => !record.deleted);
    const view = order.startsWith('LAST_MODIFIED') ? this.seqView(live, order) : this.nameView(live, order);
    this.views.set(order, { version: this.version, view });
    return view;
  }

  private seqView(live: PersonRecord[], order: SortOrder): PeopleView {
    const descending = order === 'LAST_MODIFIED_DESCENDING';
    if (descending) live.reverse();
    // Sequence numbers as an ascending array for binary search (negated when descending).
    const keys = live.map((record) => (descending ? -record.createSeq : record.createSeq));
    return {
      records: live,
      startAfter: (position) => upperBound(keys, descending ? -position.cursor : position.cursor),
      positionOf: (record, highWater) => ({ cursor: record.createSeq, highWater }),
    };
  }

  private nameView(live: PersonRecord[], order: SortOrder): PeopleView {
    const keyed = live.map((record) => ({ record, key: sortKey(record, order) }));
    const compare = (a: { key: string; seq: number }, b: { key: string; seq: number }): number =>
      a.key < b.key ? -1 : a.key > b.key ? 1 : a.seq - b.seq;
    keyed.sort((a, b) =>
      compare({ key: a.key, seq: a.record.createSeq }, { key: b.key, seq: b.record.createSeq }),
    );
    return {
      records: keyed.map((entry) => entry.record),
      startAfter: (position) => {
        const cursor = { key: position.sortKey ?? '', seq: position.cursor };
        let low = 0;
        let high = keyed.length;
        while (low < high) {
          const mid = (low + high) >>> 1;
          const entry = keyed[mid] as (typeof keyed)[number];
          if (compare({ key: entry.key, seq: entry.record.createSeq }, cursor) <= 0) low = mid + 1;
          else high = mid;
        }
        return low;
      },
      positionOf: (record, highWater) => ({
        cursor: record.createSeq,
        sortKey: sortKey(record, order),
        highWater,
      }),
    };
  }

  private live(resourceName: string): PersonRecord {
    const record = this.byName.get(resourceName);
    if (!record) throw new EmulatorError('NOT_FOUND', `No ${this.kind} ${resourceName}.`);
    if (record.deleted) throw new EmulatorError('NOT_FOUND', `${this.kind} ${resourceName} was deleted.`);
    return record;
  }

  private change(record: PersonRecord, resourceName: string, fields: PersonInput): PersonRecord {
    const kept: PersonInput = {};
    for (const [field, value] of Object.entries(fields)) {
      if (Array.isArray(value) && value.length > 0) (kept as Record<string, unknown>)[field] = value;
    }
    record.version += 1;
    record.changeSeq = this.seq.next();
    record.person = this.build(record.id, resourceName, record.version, kept);
    record.json = undefined;
    this.version += 1;
    this.changes.append(record);
    return record;
  }

  private build(id: string, resourceName: string, version: number, fields: PersonInput): Person {
    return assemblePerson({
      sourceType: this.sourceType,
      id,
      resourceName,
      version,
      updateTimeMs: this.clock.now(),
      fields,
    });
  }

  private index(record: PersonRecord): void {
    this.byId.set(record.id, record);
    this.byName.set(record.person.resourceName, record);
    for (const name of record.previousResourceNames) this.byName.set(name, record);
    this.version += 1;
    this.changes.append(record);
  }

  /** Makes a raw person findable by the resource name it claims, unless another record has it. */
  private alias(record: PersonRecord, raw: unknown): void {
    const claimed = claimedName(raw);
    if (claimed !== undefined && !this.byName.has(claimed)) this.byName.set(claimed, record);
  }

  private newId(): string {
    for (;;) {
      // 16 hex digits below 2^63, like Google's contact ids, so `people/c<decimal>` stays positive.
      const id = `${this.rng.int(1, 7).toString(16)}${this.rng.hex(15)}`;
      // Not the id of a record, nor the name a raw person claimed.
      if (!this.byId.has(id) && !this.byName.has(resourceNameFor(this.sourceType, id))) return id;
    }
  }

  private newRenameTarget(): string {
    for (;;) {
      // A contact linked to a Google profile takes the profile's id: 21 digits, no `c`.
      const name =
        this.kind === 'contact' ? `people/1${this.rng.digits(20)}` : `${this.prefix}${this.rng.digits(19)}`;
      if (!this.byName.has(name)) return name;
    }
  }
}
