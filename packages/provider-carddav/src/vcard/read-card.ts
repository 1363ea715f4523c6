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
 * The quoted line at the end of an ical.js parser message: `invalid line (no token ";" or ":") "FN Ada"`
 * or `Invalid parameters in 'TEL;=x:1'`. Greedy: the line itself may hold quotes.
 */
const QUOTED_LINES = [/(?<=\)\s*)"(.*)"\s*$/s, /(?<= in )'(.*)'\s*$/s];

/** The logical lines of a card (folded continuations joined), each with its first physical line number. */
function logicalLines(text: string): { number: number; text: string }[] {
  const lines = splitLines(text);
  const logical: { number: number; text: string }[] = [];
  lines.forEach((line, index) => {
    const last = logical[logical.length - 1];
    if (last && /^[ \t]/.test(line)) last.text += line.slice(1);
    else logical.push({ number: index + 1, text: line });
  });
  return logical;
}

/**
 * The line a parser message quotes (1-based number and whole text): the line itself, or for
 * messages that quote only a part (`Empty parameter name in ';=x:1'`) the first line holding it.
 */
function findLine(text: string, quoted: string | null): { number: number; text: string } | null {
  if (quoted === null || quoted.trim() === '') return null;
  const lines = logicalLines(text);
  return (
    lines.find((line) => line.text.trim() === quoted.trim()) ??
    lines.find((line) => line.text.includes(quoted)) ??
    null
  );
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
    const pattern = QUOTED_LINES.find((p) => p.test(message));
    const quoted = pattern?.exec(message)?.[1] ?? null;
    const reason = pattern === undefined ? message : message.replace(pattern, '').trim().replace(/ in$/, '');
    const found = findLine(text, quoted);
    return { ok: false, reason, line: found?.number ?? null, lineText: found?.text ?? quoted };
  }
  // One component parses to one jCard; several (a text with two cards) to a list of them.
  const component = Array.isArray(parsed) && Array.isArray(parsed[0]) ? parsed[0] : parsed;
  if (!Array.isArray(component) || String(component[0]).toLowerCase() !== 'vcard') {
    return { ok: false, reason: 'it holds no VCARD object', line: null, lineText: null };
  }
  const properties = Array.isArray(component[1]) ? component[1].map(readProperty) : [];
  return { ok: true, properties, jcard: component };
}
