// Google writes access tokens as `ya29.<base64url>` and refresh tokens as `1//<base64url>`.
const TOKEN_SHAPES = [/\bya29\.[\w.-]+/g, /\b1\/\/[\w.-]{10,}/g, /\b(Bearer)\s+[\w.~+/-]+=*/gi];

/**
 * `text` with every known secret and anything shaped like a Google token replaced by
 * `[redacted]`: applied to every message and log field built from Google's own text, so a secret
 * that a server echoes back never leaves the provider.
 *
 * @example
 * ```ts
 * redact('refresh 1//0gAbCdEfGhIjKl failed for s3cret', ['s3cret']); // 'refresh [redacted] failed for [redacted]'
 * ```
 */
export function redact(text: string, secrets: readonly (string | null | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    // Very short values would blank out ordinary words; real secrets are long.
    if (secret && secret.length >= 6) out = out.split(secret).join('[redacted]');
  }
  for (const shape of TOKEN_SHAPES) {
    out = out.replace(shape, (_match, bearer?: string) =>
      typeof bearer === 'string' ? `${bearer} [redacted]` : '[redacted]',
    );
  }
  return out;
}
