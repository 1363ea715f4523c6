import type { Readable } from 'node:stream';
import { ContactsModuleError } from '../errors.js';
import { untilAborted } from './interrupt.js';

type Input = Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };

/** All of a piped stdin, without its final newline. */
async function readPiped(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** One line typed on a terminal in raw mode, nothing echoed; Ctrl-C or Ctrl-D gives up. */
function readTyped(stream: Input): Promise<string> {
  return new Promise((resolve, reject) => {
    let typed = '';
    const done = (error?: Error) => {
      stream.off('data', onData);
      stream.setRawMode?.(false);
      stream.pause();
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: Buffer | string) => {
      for (const char of String(chunk)) {
        if (char === '\r' || char === '\n') return done();
        if (char === '\u0003' || char === '\u0004') {
          return done(new ContactsModuleError('INTERRUPTED', 'Interrupted: nothing was read.'));
        }
        if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
        else typed += char;
      }
    };
    stream.setRawMode?.(true);
    stream.on('data', onData);
    stream.resume();
  });
}

/**
 * Reads a secret: typed on a terminal without echo (after `prompt` on stderr), or all of a piped
 * stdin. It never reaches a terminal, a log or the shell history.
 *
 * @example
 * ```ts
 * const secret = await readHidden(io.stdin, (text) => io.stderr.write(text), 'Client secret: ', io.signal);
 * ```
 */
export async function readHidden(
  stdin: Input | undefined,
  writePrompt: (text: string) => void,
  prompt: string,
  signal: AbortSignal | undefined,
): Promise<string> {
  if (!stdin)
    throw new ContactsModuleError('USAGE', `${prompt.replace(/:\s*$/, '')} is needed: pipe it on stdin.`);
  if (!stdin.isTTY) return (await untilAborted(readPiped(stdin), signal)).trim();
  writePrompt(prompt);
  try {
    return (await untilAborted(readTyped(stdin), signal)).trim();
  } finally {
    writePrompt('\n');
  }
}
