/**
 * One property of a parsed card in ical.js's jCard form: `[name, params, type, ...values]`.
 * Names are lower case; `params.group` holds an Apple group prefix (`item1`). Structured values
 * (N, ADR, ORG) are arrays of their parts; list values (NICKNAME, CATEGORIES) are several values.
 *
 * @example
 * ```ts
 * const fn: JCardProperty = ['fn', {}, 'text', 'Ada Lovelace'];
 * ```
 */
export type JCardProperty = [string, Record<string, unknown>, string, ...unknown[]];

/**
 * A property with what the mapping reads of it, taken once from the jCard array: its name (lower
 * case), its Apple group (`item1`, lower case) or null, its parameters, its value type and values.
 *
 * @example
 * ```ts
 * const tel = readProperty(['tel', { type: ['cell', 'pref'] }, 'phone-number', '+1 303 555 0100']);
 * tel.values; // ['+1 303 555 0100']
 * ```
 */
export interface CardProperty {
  name: string;
  group: string | null;
  params: Record<string, unknown>;
  type: string;
  values: unknown[];
}

/**
 * {@link CardProperty} of one jCard property array. Total: a malformed entry reads as a property
 * without values.
 *
 * @example
 * ```ts
 * readProperty(['x-ablabel', { group: 'ITEM1' }, 'unknown', 'School']).group; // 'item1'
 * ```
 */
export function readProperty(property: unknown): CardProperty {
  const [name, params, type, ...values] = Array.isArray(property) ? property : [];
  const record =
    typeof params === 'object' && params !== null && !Array.isArray(params)
      ? (params as Record<string, unknown>)
      : {};
  const group = typeof record.group === 'string' && record.group !== '' ? record.group.toLowerCase() : null;
  return {
    name: typeof name === 'string' ? name.toLowerCase() : '',
    group,
    params: record,
    type: typeof type === 'string' ? type : 'unknown',
    values,
  };
}

/**
 * The values of a parameter, split on commas and lower-cased: `TYPE=HOME,pref` and
 * `TYPE=HOME;TYPE=pref` both read `['home', 'pref']`.
 *
 * @example
 * ```ts
 * paramValues({ type: ['HOME', 'pref'] }, 'type'); // ['home', 'pref']
 * paramValues({ type: 'cell,voice' }, 'type'); // ['cell', 'voice']
 * ```
 */
export function paramValues(params: Record<string, unknown>, name: string): string[] {
  const value = params[name];
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list
    .flatMap((entry) => (typeof entry === 'string' ? entry.split(',') : []))
    .map((entry) => entry.trim().toLowerCase())
    .filter((entry) => entry !== '');
}

/**
 * A parameter's first value as given (case kept), or null.
 *
 * @example
 * ```ts
 * paramText({ 'x-service-type': 'Skype' }, 'x-service-type'); // 'Skype'
 * ```
 */
export function paramText(params: Record<string, unknown>, name: string): string | null {
  const value = params[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' && first.trim() !== '' ? first.trim() : null;
}

/**
 * Undoes vCard text escaping (`\\`, `\,`, `\;`, `\:`, `\n`, `\N`) in a value the parser left
 * as it came: ical.js unescapes the text of properties it knows, not of `X-` ones (`X-ABLabel`).
 *
 * @example
 * ```ts
 * unescapeText('Smith\\, Jones\\nLtd'); // 'Smith, Jones\nLtd'
 * ```
 */
export function unescapeText(value: string): string {
  return value.replace(/\\([\\,;:nN])/g, (_match, escaped: string) =>
    escaped === 'n' || escaped === 'N' ? '\n' : escaped,
  );
}

/**
 * A value as trimmed text, or null when it is not text or empty. Escapes are undone for types the
 * parser did not unescape (`unknown`, used for every `X-` property).
 *
 * @example
 * ```ts
 * valueText(readProperty(['x-ablabel', {}, 'unknown', ' Dad\\, mostly ']), 0); // 'Dad, mostly'
 * ```
 */
export function valueText(property: CardProperty, index = 0): string | null {
  const value = property.values[index];
  if (typeof value !== 'string') return null;
  const text = (
    property.type === 'unknown'
      ? unescapeText(value)
      : // ical.js undoes `\\`, `\,` and `\n` in text but leaves `\;` (and Apple's `\:`) as written.
        property.type === 'text'
        ? value.replace(/\\([;:])/g, '$1')
        : value
  ).trim();
  return text === '' ? null : text;
}

/**
 * Every value of a list property (NICKNAME, CATEGORIES) as trimmed, non-empty text.
 *
 * @example
 * ```ts
 * listTexts(readProperty(['categories', {}, 'text', 'Friends', ' ', 'Climbing'])); // ['Friends', 'Climbing']
 * ```
 */
export function listTexts(property: CardProperty): string[] {
  return property.values.flatMap((_value, index) => {
    const text = valueText(property, index);
    return text === null ? [] : [text];
  });
}

/**
 * The parts of a structured value (N, ADR, ORG) as trimmed text or null, `count` of them at least.
 * A part that holds a list (`street1,street2`) is joined with a comma and a space.
 *
 * @example
 * ```ts
 * structuredParts(readProperty(['n', {}, 'text', ['Lovelace', 'Ada', '', '', '']]), 5); // ['Lovelace', 'Ada', null, null, null]
 * ```
 */
export function structuredParts(property: CardProperty, count: number): (string | null)[] {
  const value = property.values[0];
  const parts: unknown[] = Array.isArray(value) ? value : [value];
  const texts = parts.map((part) => {
    const joined = Array.isArray(part)
      ? part
          .filter((p): p is string => typeof p === 'string')
          .map((p) => p.trim())
          .filter((p) => p !== '')
          .join(', ')
      : typeof part === 'string'
        ? part
        : '';
    const text = (property.type === 'unknown' ? unescapeText(joined) : joined).trim();
    return text === '' ? null : text;
  });
  while (texts.length < count) texts.push(null);
  return texts;
}
