#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { processStopSignal } from './lifetime.js';
import { type GoogleEmulator, startGoogleEmulator } from './server.js';

export { processStopSignal, type StopReason, type WatchedProcess } from './lifetime.js';

const USAGE = `Usage: google-emulator [--port N] [--host ADDR] [--seed N] [--people N] [--other-contacts N]

Serves a local Google People API and OAuth token endpoint until SIGINT, SIGTERM or SIGHUP,
until its parent process exits, or until stdin closes when it is a pipe.
Prints one JSON line: {"url","tokenUrl","authUrl","adminUrl","credentials":{clientId,clientSecret,refreshToken},...}

  --port N             port to listen on (default 0: a free one)
  --host ADDR          address to bind (default 127.0.0.1)
  --seed N             seed of the generated address book and credentials (default 1)
  --people N           contacts to generate (default 0)
  --other-contacts N   other contacts to generate (default a quarter of --people)
  --help               show this text`;

/**
 * Where the command writes, and the signal that stops it: the process's streams and signals
 * in the bin, plain functions and an AbortController in tests.
 *
 * @example
 * ```ts
 * const stop = new AbortController();
 * const io: CliIo = { stdout: (line) => console.log(line), stderr: (line) => console.error(line), signal: stop.signal };
 * ```
 */
export interface CliIo {
  stdout(line: string): void;
  stderr(line: string): void;
  /** Aborting it closes the emulator and ends the command. */
  signal: AbortSignal;
  /**
   * Called once the emulator serves and its JSON line is printed, before the command waits for
   * the signal (a wrapper stores what a client needs). A throw closes the emulator: exit 1 with
   * the error's message.
   */
  onStarted?(emulator: GoogleEmulator): Promise<void> | void;
}

function integer(name: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new TypeError(`--${name} must be an integer in ${min}..${max}; got ${JSON.stringify(raw)}.`);
  }
  return value;
}

/**
 * The `google-emulator` command: parses `argv`, starts the emulator, prints its URLs and
 * credentials as one JSON line, and serves until `io.signal` aborts. Returns the exit code:
 * 0 after a clean stop, 2 on a usage error, 1 when the server cannot start.
 *
 * @example
 * ```ts
 * const stop = new AbortController();
 * const done = runCli(['--people', '100'], { stdout: console.log, stderr: console.error, signal: stop.signal });
 * // ... later
 * stop.abort();
 * await done; // 0
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let options: { port?: number; host?: string; seed?: number; people?: number; otherContacts?: number };
  try {
    const { values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        seed: { type: 'string' },
        people: { type: 'string' },
        'other-contacts': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      io.stdout(USAGE);
      return 0;
    }
    const port = integer('port', values.port, 0, 65_535);
    const seed = integer('seed', values.seed, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    const people = integer('people', values.people, 0, 10_000_000);
    const otherContacts = integer('other-contacts', values['other-contacts'], 0, 10_000_000);
    options = {
      ...(port === undefined ? {} : { port }),
      ...(values.host === undefined ? {} : { host: values.host }),
      ...(seed === undefined ? {} : { seed }),
      ...(people === undefined ? {} : { people }),
      ...(otherContacts === undefined ? {} : { otherContacts }),
    };
  } catch (error) {
    io.stderr(`google-emulator: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }

  let emulator: Awaited<ReturnType<typeof startGoogleEmulator>>;
  try {
    emulator = await startGoogleEmulator(options);
  } catch (error) {
    io.stderr(`google-emulator: cannot start: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  io.stdout(
    JSON.stringify({
      url: emulator.url,
      tokenUrl: emulator.tokenUrl,
      authUrl: emulator.authUrl,
      adminUrl: emulator.adminUrl,
      credentials: emulator.credentials,
      seed: options.seed ?? 1,
      people: emulator.admin.people().length,
      otherContacts: emulator.admin.otherContacts().length,
    }),
  );
  if (io.onStarted) {
    try {
      await io.onStarted(emulator);
    } catch (error) {
      io.stderr(`google-emulator: ${error instanceof Error ? error.message : String(error)}`);
      await emulator.close();
      return 1;
    }
  }
  await new Promise<void>((resolve) => {
    if (io.signal.aborted) return resolve();
    io.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await emulator.close();
  return 0;
}

// Run only as the bin (node dist/cli.js, or through the npm bin link), never on import.
const invokedAsBin = (): boolean => {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
};
if (invokedAsBin()) {
  // pnpm does not forward SIGTERM to its script: the emulator also stops when its parent exits.
  const signal = processStopSignal();
  process.exitCode = await runCli(process.argv.slice(2), {
    stdout: (line) => process.stdout.write(`${line}\n`),
    stderr: (line) => process.stderr.write(`${line}\n`),
    signal,
  });
  // The parent that went away may have held stderr's other end: a failed write is not worth a crash.
  process.stderr.on('error', () => {});
  if (signal.aborted) process.stderr.write(`google-emulator: stopped (${String(signal.reason)}).\n`);
}
