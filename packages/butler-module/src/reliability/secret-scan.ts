// Test support for secrets.test.ts: finds secret values in any text, in the encodings a secret
// takes on its way through HTTP clients, servers and logs. Written apart from the redactors it
// checks (../redact.ts, provider-google's redact.ts), so a gap in theirs is not copied here.
import { type ContactsDatabase, queryRows } from '@contacts/schema';
import { sql } from 'drizzle-orm';

/**
 * Shortest run of a secret's characters counted as a leak: a secret cut short by a `slice()`
 * before it was redacted still leaks its first 16 characters, and no honest text holds 16
 * characters of a random token by chance.
 */
export const LEAK_WINDOW = 16;

/** Base64 of `secret` as it appears inside a longer base64 text, at each of the 3 byte offsets. */
function base64Cores(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const cores: string[] = [];
  for (let offset = 0; offset < 3; offset += 1) {
    const encoded = Buffer.concat([Buffer.alloc(offset, 0x20), bytes]).toString('base64');
    // Only the 4-character groups made of the secret's bytes alone are the same in any context.
    const start = 4 * Math.ceil(offset / 3);
    const end = 4 * Math.floor((offset + bytes.length) / 3);
    const core = encoded.slice(start, end);
    cores.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return cores;
}

/**
 * Every form of `secret` worth searching for: as is, percent-encoded (URL and form rules),
 * JSON-escaped, and base64/base64url at every alignment.
 */
export function secretForms(secret: string): string[] {
  const form = new URLSearchParams({ v: secret }).toString().slice(2);
  return [
    ...new Set([
      secret,
      encodeURIComponent(secret),
      encodeURIComponent(encodeURIComponent(secret)),
      form,
      JSON.stringify(secret).slice(1, -1),
      ...base64Cores(secret),
    ]),
  ].filter((f) => f.length > 0);
}

/** One place a secret was found. */
export interface Leak {
  secret: string;
  where: string;
  /** The text around it. */
  context: string;
}

/**
 * Searches texts for any {@link LEAK_WINDOW}-character run of any form of the registered
 * secrets, case-insensitively (percent-encoding may use either case).
 */
export class SecretScanner {
  readonly #windows = new Map<string, string>();
  readonly #labels = new Set<string>();
  /** Texts searched and characters read, for the report. */
  readonly stats = { texts: 0, chars: 0, forms: 0 };

  /** Registers a secret (at least {@link LEAK_WINDOW} characters long) under a label for reports. */
  add(label: string, secret: string): void {
    if (secret.length < LEAK_WINDOW) throw new Error(`${label} is too short to search for reliably.`);
    if (this.#labels.has(`${label}\u0000${secret}`)) return;
    this.#labels.add(`${label}\u0000${secret}`);
    for (const form of secretForms(secret)) {
      this.stats.forms += 1;
      const lower = form.toLowerCase();
      for (let i = 0; i + LEAK_WINDOW <= lower.length; i += 1)
        this.#windows.set(lower.slice(i, i + LEAK_WINDOW), label);
    }
  }

  scan(where: string, text: string): Leak[] {
    this.stats.texts += 1;
    this.stats.chars += text.length;
    const lower = text.toLowerCase();
    const leaks: Leak[] = [];
    const seen = new Set<string>();
    for (let i = 0; i + LEAK_WINDOW <= lower.length; i += 1) {
      const label = this.#windows.get(lower.slice(i, i + LEAK_WINDOW));
      if (label && !seen.has(label)) {
        seen.add(label);
        leaks.push({ secret: label, where, context: text.slice(Math.max(0, i - 80), i + 100) });
      }
    }
    return leaks;
  }
}

/**
 * Everything reachable from `value` as JSON text: errors with name, message, stack, `cause` and
 * every own property (an HTTP client's request config too), maps, buffers and class instances.
 */
export function deepText(value: unknown): string {
  const seen = new WeakSet<object>();
  const walk = (v: unknown, depth: number): unknown => {
    if (v === null || v === undefined || typeof v === 'string' || typeof v === 'number') return v;
    if (typeof v === 'boolean') return v;
    if (typeof v === 'bigint' || typeof v === 'symbol') return v.toString();
    if (typeof v === 'function') return `[function ${v.name}]`;
    if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString();
    if (typeof v !== 'object') return String(v);
    if (seen.has(v)) return '[cycle]';
    seen.add(v);
    if (depth > 20) return String(v);
    if (Buffer.isBuffer(v) || v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
    if (v instanceof URLSearchParams) return v.toString();
    if (v instanceof Map) return [...v].map(([k, x]) => [walk(k, depth + 1), walk(x, depth + 1)]);
    if (v instanceof Set) return [...v].map((x) => walk(x, depth + 1));
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    if (v instanceof Headers) return [...v.entries()];
    const out: Record<string, unknown> = {};
    if (v instanceof Error) {
      // Read first, before the own-property walk marks the cause as seen.
      out.name = v.name;
      out.message = v.message;
      out.stack = v.stack;
      out.cause = walk(v.cause, depth + 1);
    }
    for (const key of Reflect.ownKeys(v)) {
      if (Object.hasOwn(out, String(key))) continue;
      try {
        out[String(key)] = walk((v as Record<PropertyKey, unknown>)[key], depth + 1);
      } catch {
        out[String(key)] = '[unreadable]';
      }
    }
    return out;
  };
  return JSON.stringify(walk(value, 0)) ?? String(value);
}

/** One table's rows as JSON text. */
export interface TableDump {
  table: string;
  rows: string[];
}

/**
 * Every row of every table of every user schema (the shared one, the butler's, migration
 * bookkeeping) as `row_to_json(t)::text`, except the tables named in `except` (none, once the
 * secret store encrypts: then `butler_secrets` must hold no plain secret either).
 */
export async function dumpDatabase(db: ContactsDatabase, except: readonly string[]): Promise<TableDump[]> {
  const tables = await queryRows<{ schemaname: string; tablename: string }>(
    db,
    sql`select schemaname, tablename from pg_tables
      where schemaname not in ('pg_catalog', 'information_schema') order by 1, 2`,
  );
  const dumps: TableDump[] = [];
  for (const { schemaname, tablename } of tables) {
    if (except.includes(tablename)) continue;
    const rows = await queryRows<{ j: string }>(
      db,
      sql`select row_to_json(t)::text as j from ${sql.identifier(schemaname)}.${sql.identifier(tablename)} t`,
    );
    dumps.push({ table: `${schemaname}.${tablename}`, rows: rows.map((r) => r.j) });
  }
  return dumps;
}
