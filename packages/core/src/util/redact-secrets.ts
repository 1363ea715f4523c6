// Secrets in every form they take on their way through HTTP and logs: shared by the module's
// redactor and by providers that scrub their own messages. Token shapes are the provider's (a
// ProviderDescriptor's secretShapes); this file knows none.

/** Values shorter than this are never redacted: they would blank out ordinary words. */
export const MIN_SECRET_LENGTH = 6;
/** Base64 pieces shorter than this are not searched for: they would match by chance. */
const MIN_BASE64_PIECE = 12;

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Percent escapes match in either case: `%2f` is `%2F`. */
const percentInsensitive = (escaped: string): string =>
  escaped.replace(/%([0-9A-F])([0-9A-F])/g, (_m, a: string, b: string) => {
    const cls = (c: string) => (/[A-F]/.test(c) ? `[${c}${c.toLowerCase()}]` : c);
    return `%${cls(a)}${cls(b)}`;
  });

/**
 * The base64 and base64url text of `secret` wherever it sits inside a longer encoded value (an
 * HTTP Basic header is base64 of `id:secret`): for each of the three byte offsets, the
 * 4-character groups made of the secret's bytes alone, which are the same whatever surrounds it.
 */
function base64Pieces(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const pieces: string[] = [];
  for (let offset = 0; offset < 3; offset += 1) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const piece = encoded.slice(4 * Math.ceil(offset / 3), 4 * Math.floor((offset + bytes.length) / 3));
    if (piece.length >= MIN_BASE64_PIECE) pieces.push(piece, piece.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return pieces;
}

// Built once per secret: redaction runs on every log line and message.
const patternCache = new Map<string, RegExp>();

/**
 * One pattern matching `secret` in every form it takes on its way through HTTP and logs: as is,
 * percent-encoded (URL and form rules, once or twice, hex digits in either case), JSON-escaped,
 * and base64/base64url at any alignment.
 *
 * @example
 * ```ts
 * secretPattern('1//0eAbc/def+ghi').test('refresh_token=1%2f%2f0eAbc%2Fdef%2Bghi'); // true
 * ```
 */
export function secretPattern(secret: string): RegExp {
  let pattern = patternCache.get(secret);
  if (!pattern) {
    const json = JSON.stringify(secret).slice(1, -1);
    // `\/` too: some JSON writers (PHP, proxies) escape every slash.
    const plain = new Set([secret, json, json.replaceAll('/', '\\/'), ...base64Pieces(secret)]);
    const encoded = new Set([
      encodeURIComponent(secret),
      encodeURIComponent(encodeURIComponent(secret)),
      new URLSearchParams({ v: secret }).toString().slice(2),
    ]);
    for (const form of plain) encoded.delete(form);
    const alternatives = [
      ...[...plain].map(escapeRegExp),
      ...[...encoded].map((form) => percentInsensitive(escapeRegExp(form))),
    ].sort((a, b) => b.length - a.length);
    pattern = new RegExp(alternatives.join('|'), 'g');
    if (patternCache.size >= 256) patternCache.clear();
    patternCache.set(secret, pattern);
  }
  pattern.lastIndex = 0;
  return pattern;
}

/**
 * `text` with every known secret (in any of the forms {@link secretPattern} knows) and anything
 * matching one of `shapes` replaced by `[redacted]`; a shape's first capture group is kept (a
 * label such as `Bearer`).
 *
 * @example
 * ```ts
 * redactSecrets('token s3cr%2Bt refused', ['s3cr+t'], []); // 'token [redacted] refused'
 * redactSecrets('Bearer abcdefghijklmnopq', [], [/\b(Bearer)\s+\w{16,}/gi]); // 'Bearer [redacted]'
 * ```
 */
export function redactSecrets(
  text: string,
  secrets: Iterable<string | null | undefined>,
  shapes: readonly RegExp[],
): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= MIN_SECRET_LENGTH) out = out.replace(secretPattern(secret), '[redacted]');
  }
  for (const shape of shapes) {
    shape.lastIndex = 0;
    out = out.replace(shape, (_match, label?: unknown) =>
      typeof label === 'string' ? `${label} [redacted]` : '[redacted]',
    );
  }
  return out;
}
