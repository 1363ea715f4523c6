/**
 * Payloads are kept (a failure row's `raw`) and hashed (the key of a failure without a usable id)
 * through JSON. `JSON.stringify` recurses, and so do Postgres' jsonb parser and `structuredClone`:
 * a person nested 10,000 levels deep threw "Maximum call stack size exceeded" outside the
 * per-contact isolation and failed its whole page, on every cycle. This copy is made without
 * recursion and is bounded, so whatever a source sends, what is kept of it can be serialised.
 */

/** How deep a kept payload may nest: a People API person nests 6 levels, its canonical form 8. */
export const MAX_KEPT_DEPTH = 100;
/** How much of a payload is kept: values (of any kind) and characters of text. */
export const MAX_KEPT_VALUES = 100_000;
export const MAX_KEPT_CHARACTERS = 4_000_000;

/** What stands in for a value nested deeper than {@link MAX_KEPT_DEPTH}. */
export const CUT_MARKER = `[cut: nested deeper than ${MAX_KEPT_DEPTH} levels]`;

/**
 * A payload as it can be kept: `value` is JSON-safe (no cycle, no BigInt, nested at most
 * {@link MAX_KEPT_DEPTH} levels); `cut` says values nested deeper were replaced by
 * {@link CUT_MARKER}; `tooLarge` says the payload holds more than {@link MAX_KEPT_VALUES} values or
 * {@link MAX_KEPT_CHARACTERS} characters, and `value` is only its beginning.
 *
 * @example
 * ```ts
 * const kept: KeptJson = boundedJson(payload);
 * if (kept.cut) console.warn('payload nested too deep; kept cut');
 * ```
 */
export interface KeptJson {
  value: unknown;
  cut: boolean;
  tooLarge: boolean;
}

type Container = unknown[] | Record<string, unknown>;

interface Frame {
  source: object;
  target: Container;
  /** Own enumerable keys of an object; null for an array. */
  keys: string[] | null;
  next: number;
  depth: number;
}

/**
 * Copies `value` as `JSON.parse(JSON.stringify(value))` would (key order kept, `undefined`,
 * functions and symbols left out of objects and `null` in arrays, `toJSON` applied, non-finite
 * numbers as `null`), except that it never recurses and never throws: deeper than
 * {@link MAX_KEPT_DEPTH} is cut, a cycle is cut where it closes, a BigInt becomes its digits, and
 * a payload over the size bounds is kept up to them. A payload within the bounds (every
 * ordinary one) is copied exactly.
 *
 * @example
 * ```ts
 * let deep: unknown = 'x';
 * for (let i = 0; i < 10_000; i++) deep = [deep];
 * const kept = boundedJson({ external_id: 'people/c1', emails: deep });
 * kept.cut; // true
 * JSON.stringify(kept.value); // fine: nested 100 levels
 * ```
 */
export function boundedJson(value: unknown): KeptJson {
  let values = 0;
  let characters = 0;
  let cut = false;
  let tooLarge = false;
  const path = new Set<object>();
  const stack: Frame[] = [];

  /** A leaf as JSON holds it, or a container to fill (pushed as a frame); `undefined`: left out. */
  const convert = (input: unknown, key: string, depth: number): unknown => {
    let v = input;
    if (v !== null && (typeof v === 'object' || typeof v === 'bigint')) {
      const toJSON = (v as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') {
        try {
          v = toJSON.call(v, key);
        } catch {
          v = null;
        }
      }
    }
    values += 1;
    if (values > MAX_KEPT_VALUES) tooLarge = true;
    if (tooLarge) return null;
    switch (typeof v) {
      case 'string':
        characters += v.length;
        if (characters > MAX_KEPT_CHARACTERS) {
          tooLarge = true;
          return null;
        }
        if (v === CUT_MARKER) cut = true; // kept before, read back for a retry: still cut
        return v;
      case 'number':
        return Number.isFinite(v) ? v : null;
      case 'boolean':
        return v;
      case 'bigint':
        return v.toString();
      case 'object': {
        if (v === null) return null;
        if (depth >= MAX_KEPT_DEPTH || path.has(v)) {
          cut = true;
          return CUT_MARKER;
        }
        const isArray = Array.isArray(v);
        let keys: string[] | null = null;
        if (!isArray) {
          try {
            keys = Object.keys(v);
          } catch {
            keys = [];
          }
        }
        const target: Container = isArray ? [] : Object.create(null);
        path.add(v);
        stack.push({ source: v, target, keys, next: 0, depth: depth + 1 });
        return target;
      }
      default:
        return undefined; // undefined, a function, a symbol
    }
  };

  const root = convert(value, '', 0);
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    const length = frame.keys ? frame.keys.length : (frame.source as unknown[]).length;
    if (frame.next >= length || tooLarge) {
      path.delete(frame.source);
      stack.pop();
      continue;
    }
    const index = frame.next;
    frame.next += 1;
    if (frame.keys) {
      const key = frame.keys[index]!;
      let item: unknown;
      try {
        item = (frame.source as Record<string, unknown>)[key];
      } catch {
        item = null; // a getter that throws
      }
      const converted = convert(item, key, frame.depth);
      if (converted !== undefined) (frame.target as Record<string, unknown>)[key] = converted;
    } else {
      const converted = convert((frame.source as unknown[])[index], String(index), frame.depth);
      (frame.target as unknown[]).push(converted === undefined ? null : converted);
    }
  }
  // Objects come without a prototype: a key `__proto__` is a key like any other, as in JSON.
  return { value: root === undefined ? null : root, cut, tooLarge };
}
