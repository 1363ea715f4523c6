/** Inline data longer than this is not kept in the raw payload: a photo is tens of kilobytes. */
const KEPT_INLINE = 200;

/**
 * The jCard kept as a contact's `raw` payload, with inline binary values (a base64 PHOTO, a
 * `data:` URI, a KEY or SOUND) replaced by a note of their length: the payload is stored with a
 * failure and retried from there, and a 100 KB photo would make it too large to keep.
 *
 * @example
 * ```ts
 * rawPayload(['vcard', [['photo', { encoding: 'b' }, 'binary', 'A'.repeat(5000)]], []]);
 * // ['vcard', [['photo', { encoding: 'b' }, 'binary', '(5,000 characters of inline data, not kept)']], []]
 * ```
 */
export function rawPayload(jcard: unknown[]): unknown[] {
  const [name, properties, components] = jcard;
  if (!Array.isArray(properties)) return jcard;
  const kept = properties.map((property: unknown) => {
    if (!Array.isArray(property)) return property;
    const [propertyName, params, type, ...values] = property as unknown[];
    const inline = type === 'binary' || values.some((v) => typeof v === 'string' && /^data:/i.test(v));
    if (!inline) return property;
    return [
      propertyName,
      params,
      type,
      ...values.map((value) =>
        typeof value === 'string' && value.length > KEPT_INLINE
          ? `(${value.length.toLocaleString('en-US')} characters of inline data, not kept)`
          : value,
      ),
    ];
  });
  return [name, kept, components];
}
