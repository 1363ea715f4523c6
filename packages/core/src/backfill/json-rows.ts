import { type SQL, sql } from 'drizzle-orm';

/**
 * A page of rows as ONE text parameter, expanded in SQL by `jsonb_to_recordset`. One parameter
 * whatever the page size, no driver array typing (postgres.js types arrays by their first
 * element), nulls and booleans intact, and sent as text then cast, because postgres.js would
 * JSON-encode a value bound as jsonb a second time.
 *
 * @example
 * ```ts
 * sql`insert into t (a, b) select a, b from ${jsonRows(rows, 'a text, b int')}`
 * ```
 */
export function jsonRows(rows: readonly object[], columns: string): SQL {
  return sql`jsonb_to_recordset(${toJsonText(rows)}::text::jsonb) as r(${sql.raw(columns)})`;
}

/** JSON text Postgres accepts: jsonb refuses the NUL character, which sources do send. */
export function toJsonText(value: unknown): string {
  const text = JSON.stringify(value);
  // An escaped NUL is `\u0000` preceded by an even number of backslashes.
  return text.includes('\\u0000') ? text.replace(/(?<!\\)((?:\\\\)*)\\u0000/g, '$1') : text;
}

/**
 * JSON with object keys sorted at every depth: equal for equal values whatever the key order
 * (jsonb returns keys reordered), for comparisons and stable hashes.
 *
 * @example
 * ```ts
 * canonicalJson({ b: 1, a: { d: 2, c: 3 } }); // '{"a":{"c":3,"d":2},"b":1}'
 * ```
 */
export function canonicalJson(value: unknown): string {
  const sorted = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sorted)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, sorted((v as Record<string, unknown>)[k])]),
          )
        : v;
  return JSON.stringify(sorted(value)) ?? 'undefined';
}
