/**
 * One top-level object of a vCard text (`BEGIN:X` ... `END:X`): its kind in upper case
 * (`VCARD`, `VLIST`, ...), its own text, and the number of its first line in the whole text.
 *
 * @example
 * ```ts
 * const object: VObjectText = { kind: 'VCARD', text: 'BEGIN:VCARD\r\n...END:VCARD\r\n', firstLine: 1 };
 * ```
 */
export interface VObjectText {
  kind: string;
  text: string;
  firstLine: number;
}

const BEGIN = /^BEGIN:(.*)$/i;
const END = /^END:(.*)$/i;

/**
 * The lines of a vCard text, whatever its line endings: CRLF is the standard, but servers and
 * exports also send LF alone (and old Mac files CR alone). Folding is left to the parser.
 *
 * @example
 * ```ts
 * splitLines('BEGIN:VCARD\nFN:Ada\r\nEND:VCARD'); // ['BEGIN:VCARD', 'FN:Ada', 'END:VCARD']
 * ```
 */
export function splitLines(text: string): string[] {
  return text.split(/\r\n|\n|\r/);
}

/**
 * Cuts a text into its top-level objects so each is parsed on its own: the parser throws on one
 * malformed line, and one bad card must not take the others with it. Nested objects stay inside
 * their parent; lines outside any object are ignored; an object without its `END` line runs to
 * the end of the text (the parser then says what is missing).
 *
 * @example
 * ```ts
 * splitObjects('BEGIN:VCARD\nFN:Ada\nEND:VCARD\nBEGIN:VLIST\nEND:VLIST\n').map((o) => o.kind); // ['VCARD', 'VLIST']
 * ```
 */
export function splitObjects(text: string): VObjectText[] {
  const lines = splitLines(text);
  const objects: VObjectText[] = [];
  let depth = 0;
  let start = -1;
  let kind = '';
  lines.forEach((line, index) => {
    const begin = BEGIN.exec(line);
    if (begin) {
      if (depth === 0) {
        start = index;
        kind = (begin[1] ?? '').trim().toUpperCase();
      }
      depth += 1;
      return;
    }
    if (depth > 0 && END.test(line)) {
      depth -= 1;
      if (depth === 0) {
        objects.push({
          kind,
          text: `${lines.slice(start, index + 1).join('\r\n')}\r\n`,
          firstLine: start + 1,
        });
      }
    }
  });
  if (depth > 0) objects.push({ kind, text: `${lines.slice(start).join('\r\n')}`, firstLine: start + 1 });
  return objects;
}
