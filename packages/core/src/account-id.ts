const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * What is wrong with an account id, or null when it is usable. An account id is a key column of
 * every sync table and appears in logs and status lines: control characters (NUL, which
 * PostgreSQL refuses in text with a raw "invalid byte sequence" error; ESC, which a terminal
 * obeys; tabs and line breaks) and lone surrogates (which a driver silently turns into U+FFFD, so
 * the stored id would differ from the configured one) are refused, naming the first one.
 *
 * @example
 * ```ts
 * accountIdProblem('ada@example.org'); // null
 * accountIdProblem('a\u0000b'); // 'must not contain control characters (U+0000 at character 2)'
 * ```
 */
export function accountIdProblem(accountId: string): string | null {
  const control = /\p{Cc}/u.exec(accountId);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    return `must not contain control characters (U+${code} at character ${control.index + 1})`;
  }
  if (LONE_SURROGATE.test(accountId)) return 'must be well-formed Unicode text (it holds half of an emoji)';
  return null;
}
