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

/**
 * JSON text Postgres accepts: jsonb refuses the NUL character and lone UTF-16 surrogates (half
 * an emoji), both of which sources do send. NUL is dropped, a lone surrogate becomes U+FFFD, as
 * `storableText` does to the values the engine compares.
 */
export function toJsonText(value: unknown): string {
  return storableJson(JSON.stringify(value));
}

/**
 * JSON text (from `JSON.stringify`) as jsonb will store it: escaped NULs dropped, escaped lone
 * surrogates as the U+FFFD character (not its escape: JSON.stringify writes that character as
 * itself, and so must this, for a payload read back from jsonb to hash the same). Also what a
 * payload is hashed by.
 *
 * @example
 * ```ts
 * storableJson(JSON.stringify({ a: 'x\u0000y\uD83D' })); // '{"a":"xy\uFFFD"}'
 * ```
 */
export function storableJson(text: string): string {
  if (!text.includes('\\u')) return text;
  // An escape is one preceded by an even number of backslashes. JSON.stringify writes a
  // well-formed surrogate pair as the character itself, so every `\ud800`-`\udfff` escape is lone.
  return text
    .replace(/(?<!\\)((?:\\\\)*)\\u0000/g, '$1')
    .replace(/(?<!\\)((?:\\\\)*)\\ud[89a-f][0-9a-f]{2}/g, '$1\uFFFD');
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
