import { type LogFields, type Logger, redactSecrets } from '@contacts/core';
import { defaultProviderRegistry } from './module/default-registry.js';

/** How deep {@link SecretRedactor.redactValue} and {@link redactError} copy before flattening. */
const MAX_DEPTH = 8;

/**
 * Remembers the secret values this process has read and blanks them out of any text: a second
 * line of defence behind providers that already keep secrets out of their messages, applied to
 * every log line, error and tool result the module produces. A secret is found in every form it
 * takes on its way through HTTP and logs (percent-encoded, form-encoded, JSON-escaped, inside
 * base64 such as a Basic header), and anything shaped like a token of a registered provider
 * (its descriptor's `secretShapes`: Google's `ya29.…`, `1//…`, `Bearer …`) is blanked even
 * before any secret is known.
 *
 * @example
 * ```ts
 * const redactor = new SecretRedactor();
 * redactor.add(['1//refresh-token-value']);
 * redactor.redact('token 1//refresh-token-value refused'); // 'token [redacted] refused'
 * redactor.redact('refresh_token=1%2F%2Frefresh-token-value'); // 'refresh_token=[redacted]'
 * ```
 */
export class SecretRedactor {
  readonly #secrets = new Set<string>();
  readonly #shapes: readonly RegExp[];

  /** `shapes`: the token shapes to blank (default: those of the default registry's providers). */
  constructor(shapes: readonly RegExp[] = defaultProviderRegistry().secretShapes()) {
    this.#shapes = shapes;
  }

  /** Adds values to blank out; very short ones are ignored (they would blank ordinary words). */
  add(values: Iterable<string | null | undefined>): void {
    for (const value of values) if (value && value.length >= 6) this.#secrets.add(value);
  }

  /** `text` with every known secret, in any of its forms, and every token shape blanked. */
  redact(text: string): string {
    return redactSecrets(text, this.#secrets, this.#shapes);
  }

  /**
   * A deep copy of log fields with every string redacted (errors become their redacted message).
   * Past {@link MAX_DEPTH} levels the rest is flattened to redacted JSON rather than passed on
   * unread.
   */
  redactValue(value: unknown, depth = 0): unknown {
    if (typeof value === 'string') return this.redact(value);
    if (value instanceof Error) return this.redact(value.message);
    if (value instanceof Date || value === null || typeof value !== 'object') return value;
    if (depth > MAX_DEPTH) return this.redact(flatten(value));
    if (Array.isArray(value)) return value.map((v) => this.redactValue(v, depth + 1));
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.redactValue(v, depth + 1)]));
  }

  /** {@link redactError} with this redactor's secrets. */
  redactError<T>(error: T): T {
    return redactError(error, (text) => this.redact(text));
  }
}

function flatten(value: object): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * `error` with `redact` applied to every string it carries: message, stack (which V8 froze with
 * the original message), `cause` chain and own properties (an HTTP client's request config holds
 * headers and bodies). The copy keeps the error's class, `code` and other fields, so callers
 * branch on it as before. When nothing needed redacting, `error` itself is returned.
 *
 * @example
 * ```ts
 * try { await runtime.syncNow(); } catch (error) { throw redactError(error, (t) => redactor.redact(t)); }
 * ```
 */
export function redactError<T>(error: T, redact: (text: string) => string): T {
  const state = { changed: false };
  const copies = new Map<object, unknown>();
  const scrub = (value: unknown, depth: number): unknown => {
    if (typeof value === 'string') {
      const clean = redact(value);
      if (clean !== value) state.changed = true;
      return clean;
    }
    if (value === null || typeof value !== 'object' || value instanceof Date) return value;
    if (copies.has(value)) return copies.get(value);
    if (depth > MAX_DEPTH) {
      const text = flatten(value);
      const clean = redact(text);
      if (clean === text) return value;
      state.changed = true;
      return clean;
    }
    if (Array.isArray(value)) {
      const copy: unknown[] = [];
      copies.set(value, copy);
      for (const item of value) copy.push(scrub(item, depth + 1));
      return copy;
    }
    // Their contents live in internal slots, out of reach of a property copy.
    if (value instanceof Map || value instanceof Headers) {
      const copy = value instanceof Map ? new Map<unknown, unknown>() : new Headers();
      copies.set(value, copy);
      for (const [k, v] of value.entries()) {
        if (copy instanceof Headers) copy.set(k as string, scrub(v, depth + 1) as string);
        else copy.set(scrub(k, depth + 1), scrub(v, depth + 1));
      }
      return copy;
    }
    if (value instanceof Set) {
      const copy = new Set<unknown>();
      copies.set(value, copy);
      for (const item of value) copy.add(scrub(item, depth + 1));
      return copy;
    }
    // A URL (an HTTP client's request URL), its query, bytes (a body): their text lives in
    // internal slots too, and a property copy of them throws when read. Their redacted text
    // stands in for them when it differs.
    const text = opaqueText(value);
    if (text !== undefined) {
      const clean = redact(text);
      if (clean === text) return value;
      state.changed = true;
      return clean;
    }
    const proto = Object.getPrototypeOf(value) as object | null;
    if (Reflect.ownKeys(value).length === 0 && proto !== null && proto !== Object.prototype) {
      // Another host object (a Request, a Blob): no readable data, and a copy would be broken.
      return value;
    }
    // Errors keep their prototype (instanceof, getters such as `retryable`); other objects too,
    // so a cause's class still reads right in a debugger.
    const copy = Object.create(proto) as Record<PropertyKey, unknown>;
    copies.set(value, copy);
    for (const key of Reflect.ownKeys(value)) {
      let descriptor = Object.getOwnPropertyDescriptor(value, key);
      if (!descriptor) continue;
      if (key === 'stack' && value instanceof Error && !('value' in descriptor)) {
        // Node 22's V8 gives every error an own `stack` accessor that reads the error's internal
        // slot: copied as is, it reads nothing on the copy (the stack was lost). Its text is taken
        // from the original and kept as a plain value instead.
        const { enumerable = false } = descriptor;
        descriptor = { value: Reflect.get(value, key), writable: true, enumerable, configurable: true };
      }
      if ('value' in descriptor) descriptor.value = scrub(descriptor.value, depth + 1);
      Object.defineProperty(copy, key, descriptor);
    }
    return copy;
  };
  const scrubbed = scrub(error, 0);
  return (state.changed ? scrubbed : error) as T;
}

/** The text of objects that keep it in internal slots; undefined for other objects. */
function opaqueText(value: object): string | undefined {
  if (value instanceof URL || value instanceof URLSearchParams) return value.toString();
  if (ArrayBuffer.isView(value))
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8');
  if (value instanceof ArrayBuffer) return Buffer.from(value).toString('utf8');
  return undefined;
}

/**
 * A logger that passes every line through a {@link SecretRedactor} before the host's logger sees it.
 *
 * @example
 * ```ts
 * const logger = redactingLogger(hostLogger, redactor);
 * logger.error('contacts_sync_failed', { error: err.message }); // secrets replaced by [redacted]
 * ```
 */
export function redactingLogger(logger: Logger, redactor: SecretRedactor): Logger {
  const wrap =
    (level: keyof Logger) =>
    (message: string, fields?: LogFields): void => {
      logger[level](redactor.redact(message), fields && (redactor.redactValue(fields) as LogFields));
    };
  return { debug: wrap('debug'), info: wrap('info'), warn: wrap('warn'), error: wrap('error') };
}
