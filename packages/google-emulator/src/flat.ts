/**
 * Joins parts into one flat string. Template literals and `+=` build V8 cons strings (trees of
 * pieces); a 25,000-person book keeps millions of them alive and the garbage collector copies
 * every piece. `Array.prototype.join` allocates the result flat, in one piece.
 */
export function flat(...parts: readonly (string | number | bigint)[]): string {
  return parts.join('');
}
