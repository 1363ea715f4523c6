import { PassThrough } from 'node:stream';
import type { ContactsDatabase } from '@contacts/schema';
import type { CliIo } from '../cli/cli-io.js';
import { main } from '../cli/main.js';

/** A writable that keeps what was written. */
export function captureStream(isTTY = false) {
  const stream = new PassThrough() as PassThrough & { isTTY?: boolean; text(): string };
  let text = '';
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  stream.isTTY = isTTY;
  stream.text = () => text;
  return stream;
}

/** Runs `contacts <argv>` in-process; `db` replaces the database the command would open. */
export async function runCli(
  argv: string[],
  options: {
    db?: ContactsDatabase;
    env?: Record<string, string>;
    stdin?: string;
    /** A stdin that stays open (a server's), instead of `stdin` text. */
    stdinStream?: PassThrough;
    cwd?: string;
    signal?: AbortSignal;
  } = {},
) {
  const stdout = captureStream();
  const stderr = captureStream();
  let stdin: PassThrough | undefined = options.stdinStream;
  if (options.stdin !== undefined) {
    stdin = new PassThrough();
    stdin.end(options.stdin);
  }
  const io: CliIo = {
    stdout,
    stderr,
    stdin,
    env: options.env ?? {},
    cwd: options.cwd,
    signal: options.signal,
    openDatabase: options.db ? async () => ({ db: options.db!, close: async () => {} }) : undefined,
  };
  const code = await main(argv, io);
  // Let the PassThroughs flush their last chunks.
  await new Promise((resolve) => setImmediate(resolve));
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}
