import { redactSecrets, secretPattern } from '@contacts/core';

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

/**
 * The shapes of Google's tokens, for the redactor (the Google descriptor's `secretShapes`).
 *
 * @example
 * ```ts
 * GOOGLE_TOKEN_SHAPES.some((s) => new RegExp(s.source).test('ya29.a0AfH6SM')); // true
 * ```
 */
export { secretPattern, TOKEN_SHAPES as GOOGLE_TOKEN_SHAPES };

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
  return redactSecrets(text, secrets, TOKEN_SHAPES);
}
