// Google writes access tokens as `ya29.<base64url>` and refresh tokens as `1//<base64url>` (also
// seen percent-encoded, `1%2F%2F...`, when a server quotes a form body back).
// Real ones run to 100 characters and more: the lengths asked for keep ordinary text
// ("1//2024-05-01T10:00", "Ring Bearer Jones") out.
const TOKEN_SHAPES = [
  /\bya29\.[\w.~-]+/g,
  /\b1\/\/[\w.-]{20,}/g,
  /\b1%2F%2F[\w.%-]{20,}/gi,
  /\b(Bearer)\s+[\w.~+/-]{16,}=*/gi,
];

/** Values shorter than this are never redacted: they would blank out ordinary words. */
const MIN_SECRET_LENGTH = 6;
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
 * shaped like a Google token replaced by `[redacted]`: applied to every message and log field
 * built from Google's own text, so a secret that a server echoes back never leaves the provider.
 *
 * @example
 * ```ts
 * redact('refresh 1//0gAbCdEfGhIjKl failed for s3cret', ['s3cret']); // 'refresh [redacted] failed for [redacted]'
 * redact('body: client_secret=s3cr%2Bt', ['s3cr+t']); // 'body: client_secret=[redacted]'
 * ```
 */
export function redact(text: string, secrets: readonly (string | null | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= MIN_SECRET_LENGTH) out = out.replace(secretPattern(secret), '[redacted]');
  }
  for (const shape of TOKEN_SHAPES) {
    out = out.replace(shape, (_match, bearer?: string) =>
      typeof bearer === 'string' ? `${bearer} [redacted]` : '[redacted]',
    );
  }
  return out;
}
