/**
 * A `Retry-After` header in milliseconds from `now`: delay-seconds (`"2"`, also `"1.5"`) or an
 * HTTP date. Null when absent or unreadable; a date in the past is 0.
 *
 * @example
 * ```ts
 * parseRetryAfter('2', new Date()); // 2000
 * parseRetryAfter('Wed, 21 Oct 2015 07:28:30 GMT', new Date('2015-10-21T07:28:00Z')); // 30000
 * parseRetryAfter('soon', new Date()); // null
 * ```
 */
export function parseRetryAfter(value: string | null | undefined, now: Date): number | null {
  const trimmed = value?.trim();
  if (!trimmed) return null;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  // An HTTP date always names a weekday and a month: plain numbers and junk never reach Date.parse.
  if (!/^[A-Za-z]{3},/.test(trimmed)) return null;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - now.getTime());
}
