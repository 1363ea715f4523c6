import type { PersonRecord } from '../store/people.js';
import type { PersonListField, PersonMetadata } from '../types.js';

// Pages are assembled from UTF-8 fragments cached on each record (`,"names":[...]`), so serving
// 1,000 people costs one Buffer.concat, not a JSON.stringify of every nested object, nor
// flattening and re-encoding a 2 MB string.
const COMMA = Buffer.from(',');
const CLOSE = Buffer.from('}');

function cached(record: PersonRecord, key: string, text: () => string): Buffer {
  let cache = record.json;
  if (!cache) {
    cache = new Map();
    record.json = cache;
  }
  let bytes = cache.get(key);
  if (bytes === undefined) {
    bytes = Buffer.from(text(), 'utf8');
    cache.set(key, bytes);
  }
  return bytes;
}

function metadataOf(record: PersonRecord, withPrevious: boolean): PersonMetadata {
  const metadata: PersonMetadata = { ...record.person.metadata };
  if (withPrevious && record.previousResourceNames.length > 0) {
    metadata.previousResourceNames = record.previousResourceNames;
  }
  if (record.deleted) metadata.deleted = true;
  return metadata;
}

/**
 * Appends one person's JSON to `out`: `resourceName` and `etag` always, `metadata` when asked
 * for (with `previousResourceNames` only in sync-token responses), then the requested non-empty
 * field lists. A deleted person (sync responses only) is a tombstone: resourceName, etag and
 * `metadata.deleted: true`.
 */
export function renderPerson(
  record: PersonRecord,
  fields: readonly PersonListField[],
  withMetadata: boolean,
  syncResponse: boolean,
  out: Buffer[],
): void {
  const person = record.person;
  if (record.raw !== undefined) {
    renderRaw(record, out);
    return;
  }
  out.push(
    cached(
      record,
      'head',
      () => `{"resourceName":${JSON.stringify(person.resourceName)},"etag":${JSON.stringify(person.etag)}`,
    ),
  );
  if (record.deleted) {
    out.push(
      cached(record, 'tombstone', () => `,"metadata":${JSON.stringify(metadataOf(record, syncResponse))}`),
      CLOSE,
    );
    return;
  }
  if (withMetadata) {
    const withPrevious = syncResponse && record.previousResourceNames.length > 0;
    const key = withPrevious ? 'metadata+previous' : 'metadata';
    out.push(cached(record, key, () => `,"metadata":${JSON.stringify(metadataOf(record, withPrevious))}`));
  }
  for (const field of fields) {
    const value = person[field];
    if (value && value.length > 0)
      out.push(cached(record, field, () => `,"${field}":${JSON.stringify(value)}`));
  }
  out.push(CLOSE);
}

/**
 * A raw person: its JSON as given, whatever the field mask; deleted, a tombstone under the
 * `resourceName` it claimed (else the record's own) with the record's current etag.
 */
function renderRaw(record: PersonRecord, out: Buffer[]): void {
  if (!record.deleted) {
    out.push(cached(record, 'raw', () => record.rawText ?? JSON.stringify(record.raw)));
    return;
  }
  const claimed = (record.raw as { resourceName?: unknown } | null)?.resourceName;
  const resourceName = typeof claimed === 'string' && claimed !== '' ? claimed : record.person.resourceName;
  const tombstone = { resourceName, etag: record.person.etag, metadata: { deleted: true } };
  out.push(cached(record, 'tombstone', () => JSON.stringify(tombstone)));
}

/** Members of a JSON object as text, leaving out absent ones (proto3 JSON omits defaults). */
export function jsonMembers(members: readonly (readonly [string, unknown])[]): string {
  return members
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value)}`)
    .join(',');
}

/** `{"<key>":[items...],<rest>}` as one buffer; without items the key is left out, as Google does. */
export function listBody(key: string, items: readonly Buffer[][], rest: string): Buffer {
  if (items.length === 0) return Buffer.from(`{${rest}}`);
  const chunks: Buffer[] = [Buffer.from(`{${JSON.stringify(key)}:[`)];
  items.forEach((item, index) => {
    if (index > 0) chunks.push(COMMA);
    chunks.push(...item);
  });
  chunks.push(Buffer.from(rest ? `],${rest}}` : ']}'));
  return Buffer.concat(chunks);
}
