import ICAL from 'ical.js';
import { type CardProperty, readProperty } from './jcard.js';
import { splitLines } from './split-objects.js';

/**
 * A card the parser read: its properties in card order, and its jCard (ical.js's JSON form),
 * kept as the contact's raw payload.
 *
 * @example
 * ```ts
 * const read = readCard('BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada\r\nEND:VCARD\r\n');
 * if (read.ok) read.properties.map((p) => p.name); // ['version', 'fn']
 * ```
 */
export type ReadCard =
  | { ok: true; properties: CardProperty[]; jcard: unknown[] }
  | { ok: false; reason: string; line: number | null; lineText: string | null };

/**
 * The quoted line at the end of an ical.js parser message: `invalid line (no token ";" or ":") "FN Ada"`.
 * Greedy: the line itself may hold quotes.
 */
const QUOTED_LINE = /(?<=\)\s*)"(.*)"\s*$/s;

/** Where the line a parser message quotes is in the card (1-based), searched after unfolding. */
function findLine(text: string, quoted: string | null): number | null {
  if (quoted === null) return null;
  const lines = splitLines(text);
  // Folded lines (a continuation starts with a space or tab) are joined by the parser before it
  // complains, so the quoted line starts on the first physical line of the logical one.
  for (let index = 0; index < lines.length; index += 1) {
    let logical = lines[index] ?? '';
    let next = index + 1;
    while (next < lines.length && /^[ \t]/.test(lines[next] ?? '')) {
      logical += (lines[next] ?? '').slice(1);
      next += 1;
    }
    if (logical === quoted || logical.trim() === quoted.trim()) return index + 1;
  }
  return null;
}

/**
 * Parses the text of ONE vCard with ical.js (3.0 and 4.0, groups, folding, escaping, LF-only
 * endings). ical.js throws on a single malformed line; here that becomes a result naming the line
 * (its number within the card and its text) and the reason, so the caller fails this card alone.
 *
 * @example
 * ```ts
 * const read = readCard('BEGIN:VCARD\nVERSION:3.0\nnot a property\nEND:VCARD\n');
 * // { ok: false, reason: 'invalid line (no token ";" or ":")', line: 3, lineText: 'not a property' }
 * ```
 */
export function readCard(text: string): ReadCard {
  let parsed: unknown;
  try {
    parsed = ICAL.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const quoted = QUOTED_LINE.exec(message)?.[1] ?? null;
    const reason = quoted === null ? message : message.replace(QUOTED_LINE, '').trim();
    return { ok: false, reason, line: findLine(text, quoted), lineText: quoted };
  }
  // One component parses to one jCard; several (a text with two cards) to a list of them.
  const component = Array.isArray(parsed) && Array.isArray(parsed[0]) ? parsed[0] : parsed;
  if (!Array.isArray(component) || String(component[0]).toLowerCase() !== 'vcard') {
    return { ok: false, reason: 'it holds no VCARD object', line: null, lineText: null };
  }
  const properties = Array.isArray(component[1]) ? component[1].map(readProperty) : [];
  return { ok: true, properties, jcard: component };
}
