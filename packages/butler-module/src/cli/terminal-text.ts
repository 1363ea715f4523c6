import type { OutputStream } from './cli-io.js';

// C0 controls but line feed and tab (our own line structure), DEL, C1 controls (U+0080-U+009F:
// 8-bit CSI and OSC among them), and the bidirectional overrides and isolates that reorder what a
// terminal shows (Trojan Source). A terminal obeys these; text from upstream (a contact's name, a
// server's error) must never move the cursor, retitle the window, clear the screen or rewrite a
// log line that came before.
const UNSAFE = /(?![\n\t])[\p{Cc}\u202A-\u202E\u2066-\u2069]/gu;

/**
 * Text with every control character a terminal would act on written out as a visible `\uXXXX`
 * escape: ESC, CSI and OSC sequences, C1 controls, BEL, backspace, carriage return, DEL, NUL, and
 * bidirectional overrides. Line feeds and tabs stay; everything else, accents, emoji and
 * right-to-left letters included, is unchanged. Inside a JSON string the escape decodes back to
 * the character, so JSON output stays exact.
 *
 * @example
 * ```ts
 * neutraliseControls('Eve\u001b[2J\u0007'); // 'Eve\\u001b[2J\\u0007'
 * ```
 */
export function neutraliseControls(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Where the command writes text meant for a person: a string at a time, with the terminal facts
 * of the stream underneath.
 *
 * @example
 * ```ts
 * const out: TextOutput = terminalText(process.stdout);
 * out.write('hello\n');
 * ```
 */
export interface TextOutput {
  write(text: string): boolean;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/**
 * `stream` with every write passed through {@link neutraliseControls}: the one door through which
 * the `contacts` command's logs, messages, tables and errors reach a terminal (or a log file).
 * Only the MCP protocol on `serve`'s stdout and the progress bar's own cursor codes bypass it.
 *
 * @example
 * ```ts
 * const stderr = terminalText(process.stderr);
 * stderr.write(`contacts: ${error.message}\n`); // a server's ESC sequences arrive as \u001b text
 * ```
 */
export function terminalText(stream: OutputStream): TextOutput {
  return {
    write: (text) => stream.write(neutraliseControls(text)),
    get isTTY() {
      return stream.isTTY;
    },
    get columns() {
      return stream.columns;
    },
  };
}
