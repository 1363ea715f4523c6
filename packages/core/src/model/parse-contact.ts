import type { z } from 'zod';
import { CoreError } from '../errors.js';
import { CanonicalContact } from './canonical-contact.js';

/**
 * Validates one provider payload as a {@link CanonicalContact}. The error names the contact and
 * every bad field, e.g. `Contact people/c7 is invalid: emails.0.value: Too small...`. Problems the
 * provider reported (`source_problems`, in the source's own field names) come alone: they explain
 * whatever else is wrong.
 *
 * @throws CoreError with code `INVALID_CONTACT`, the zod error as `cause`.
 * @example
 * ```ts
 * const contact = parseCanonicalContact({ external_id: 'people/c1', emails: [{ value: 'a@b.c' }] });
 * ```
 */
export function parseCanonicalContact(input: unknown): CanonicalContact {
  const problems = (input as { source_problems?: unknown } | null)?.source_problems;
  if (Array.isArray(problems) && problems.length > 0) {
    const sentences = problems.map((p) => (typeof p === 'string' ? p : JSON.stringify(p)));
    throw new CoreError(
      'INVALID_CONTACT',
      `Contact ${describeContact(input)} is invalid: ${sentences.join('; ')}`,
    );
  }
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

/** Ids longer than this are shown cut, with their length: a 100 KB id must not be the whole message. */
const SHOWN_ID_LENGTH = 80;

/**
 * The id a log or error can name a payload by, even a malformed one.
 *
 * @example
 * ```ts
 * describeContact({ external_id: 'people/c7' }); // 'people/c7'
 * describeContact(null); // '(without external_id)'
 * describeContact({ external_id: 'people/' + 'x'.repeat(5000) }); // 'people/xxx…xxx… (5,007 characters)'
 * ```
 */
export function describeContact(input: unknown): string {
  const id = (input as { external_id?: unknown } | null)?.external_id;
  if (typeof id !== 'string' || id === '') return '(without external_id)';
  if (id.length <= SHOWN_ID_LENGTH) return id;
  // Cut on a code point boundary: half an emoji is not text a database accepts.
  const shown = Array.from(id.slice(0, SHOWN_ID_LENGTH + 1))
    .slice(0, -1)
    .join('');
  return `${shown}… (${id.length.toLocaleString('en-US')} characters)`;
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
