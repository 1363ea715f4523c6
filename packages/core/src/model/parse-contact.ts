import type { z } from 'zod';
import { CoreError } from '../errors.js';
import { CanonicalContact } from './canonical-contact.js';

/**
 * Validates one provider payload as a {@link CanonicalContact}. The error names the contact and
 * every bad field, e.g. `Contact people/c7 is invalid: emails.0.value: Too small...`.
 *
 * @throws CoreError with code `INVALID_CONTACT`, the zod error as `cause`.
 * @example
 * ```ts
 * const contact = parseCanonicalContact({ external_id: 'people/c1', emails: [{ value: 'a@b.c' }] });
 * ```
 */
export function parseCanonicalContact(input: unknown): CanonicalContact {
  const result = CanonicalContact.safeParse(input);
  if (result.success) return result.data;
  throw new CoreError(
    'INVALID_CONTACT',
    `Contact ${describeContact(input)} is invalid: ${formatIssues(result.error)}`,
    {
      cause: result.error,
    },
  );
}

/**
 * The id a log or error can name a payload by, even a malformed one.
 *
 * @example
 * ```ts
 * describeContact({ external_id: 'people/c7' }); // 'people/c7'
 * describeContact(null); // '(without external_id)'
 * ```
 */
export function describeContact(input: unknown): string {
  const id = (input as { external_id?: unknown } | null)?.external_id;
  return typeof id === 'string' && id !== '' ? id : '(without external_id)';
}

/**
 * `path: message; path: message`, the form every zod failure of this package is reported in.
 *
 * @example
 * ```ts
 * const result = CanonicalContact.safeParse({ external_id: '' });
 * if (!result.success) console.error(formatIssues(result.error)); // 'external_id: Too small: ...'
 * ```
 */
export function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}
