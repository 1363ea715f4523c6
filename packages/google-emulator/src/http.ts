import type { IncomingMessage, ServerResponse } from 'node:http';
import { GoogleHttpError } from './errors.js';

// Parameters every Google API accepts on any method; the emulator accepts and ignores them.
const SYSTEM_PARAMS = new Set([
  '$.xgafv',
  'access_token',
  'alt',
  'callback',
  'fields',
  'key',
  'oauth_token',
  'prettyPrint',
  'quotaUser',
  'upload_protocol',
  'uploadType',
]);

const snakeCase = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Which query parameters a method takes: repeated ones may appear many times, scalars once. */
export interface QuerySpec {
  repeated: readonly string[];
  scalar: readonly string[];
}

/**
 * A method's query string, checked the way Google checks it: unknown parameters are a 400 (so a
 * misspelt `person_field` fails loudly), snake_case spellings of known ones are accepted, and a
 * scalar given twice is a 400.
 */
export class Query {
  private constructor(private readonly values: ReadonlyMap<string, string[]>) {}

  static parse(params: URLSearchParams, spec: QuerySpec): Query {
    const byAlias = new Map<string, string>();
    for (const name of [...spec.repeated, ...spec.scalar]) {
      byAlias.set(name, name);
      byAlias.set(snakeCase(name), name);
    }
    const values = new Map<string, string[]>();
    for (const [rawName, value] of params) {
      if (SYSTEM_PARAMS.has(rawName)) continue;
      const name = byAlias.get(rawName);
      if (!name) {
        throw GoogleHttpError.invalidArgument(
          `Invalid JSON payload received. Unknown name "${rawName}": Cannot bind query parameter. ` +
            `Field '${rawName}' could not be found in request message.`,
        );
      }
      const list = values.get(name) ?? [];
      list.push(value);
      values.set(name, list);
      if (list.length > 1 && spec.scalar.includes(name)) {
        throw GoogleHttpError.invalidArgument(
          `Invalid JSON payload received. Duplicate value for non-repeated field "${name}".`,
        );
      }
    }
    return new Query(values);
  }

  all(name: string): string[] | undefined {
    return this.values.get(name);
  }

  get(name: string): string | undefined {
    return this.values.get(name)?.[0];
  }

  int(name: string, bounds: { min: number; max: number; fallback: number }): number {
    const raw = this.get(name);
    if (raw === undefined || raw === '') return bounds.fallback;
    if (!/^-?\d+$/.test(raw.trim())) {
      throw GoogleHttpError.invalidArgument(`Invalid value at '${snakeCase(name)}' (TYPE_INT32), "${raw}"`);
    }
    const value = Number(raw);
    if (value < bounds.min || value > bounds.max) {
      throw GoogleHttpError.invalidArgument(
        `${name} must be between ${bounds.min} and ${bounds.max} (inclusive); got ${value}.`,
      );
    }
    return value;
  }

  bool(name: string): boolean {
    const raw = this.get(name);
    if (raw === undefined || raw === '' || raw === 'false') return false;
    if (raw === 'true') return true;
    throw GoogleHttpError.invalidArgument(`Invalid value at '${snakeCase(name)}' (TYPE_BOOL), "${raw}"`);
  }

  enumValue<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const raw = this.get(name);
    if (raw === undefined || raw === '') return fallback;
    if (!(allowed as readonly string[]).includes(raw)) {
      throw GoogleHttpError.invalidArgument(`Invalid value at '${snakeCase(name)}', "${raw}"`);
    }
    return raw as T;
  }

  enumList<T extends string>(name: string, allowed: readonly T[], fallback: readonly T[]): T[] {
    const raw = (this.all(name) ?? []).flatMap((v) => v.split(',')).filter((v) => v !== '');
    if (raw.length === 0) return [...fallback];
    raw.forEach((value, index) => {
      if (!(allowed as readonly string[]).includes(value)) {
        throw GoogleHttpError.invalidArgument(`Invalid value at '${snakeCase(name)}[${index}]', "${value}"`);
      }
    });
    return [...new Set(raw as T[])].sort();
  }
}

/** Sends a JSON response; `body` may already be serialized (a Buffer: the fast path for big pages). */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const bytes = Buffer.isBuffer(body)
    ? body
    : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  res.writeHead(status, {
    'content-type': 'application/json; charset=UTF-8',
    'content-length': String(bytes.length),
    ...headers,
  });
  res.end(bytes);
}

/** Reads a request body up to `limit` bytes (413 beyond it). */
export async function readBody(req: IncomingMessage, limit = 4 * 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) {
      throw new GoogleHttpError(413, {
        error: { code: 413, message: 'Request body too large.', status: 'OUT_OF_RANGE' },
      });
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
