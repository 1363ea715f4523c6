#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { processStopSignal } from './lifetime.js';
import { type GoogleEmulator, type GoogleEmulatorOptions, startGoogleEmulator } from './server.js';

export { processStopSignal, type StopReason, type WatchedProcess } from './lifetime.js';

const USAGE = `Usage: google-emulator [--port N] [--host ADDR] [--seed N] [--people N] [--other-contacts N]
                       [--accounts N [--people-per-account N] [--shared-share X] [--shared-people N] [--clients N]]
                       [--quota-user N] [--quota-project N] [--latency-ms N|MIN,MAX]

Serves a local Google People API and OAuth token endpoint until SIGINT, SIGTERM or SIGHUP,
until its parent process exits, or until stdin closes when it is a pipe.
Prints one JSON line: {"url","tokenUrl","authUrl","adminUrl","credentials":{clientId,clientSecret,refreshToken},...}
With --accounts, also "fleet":{accounts,clients:[{clientId,clientSecret,projectNumber}],sharedPeople}; account i's
credentials: GET <adminUrl>fleet/accounts/i, or fleetCredentials({seed, index: i, clients}).

  --port N                 port to listen on (default 0: a free one)
  --host ADDR              address to bind (default 127.0.0.1)
  --seed N                 seed of the generated address book and credentials (default 1)
  --people N               contacts to generate (default 0)
  --other-contacts N       other contacts to generate (default a quarter of --people)
  --accounts N             serve N more accounts, each by its own refresh token, books made on first use
  --people-per-account N   contacts in each account's book (default 200)
  --shared-share X         share of each book drawn from a pool of shared people, 0..1 (default 0.3)
  --shared-people N        people in the shared pool (default a quarter of all shared places)
  --clients N              OAuth clients (projects) the accounts are spread over (default 1)
  --quota-user N           read requests a minute per account (429 RESOURCE_EXHAUSTED past it)
  --quota-project N        read requests a minute per OAuth client, all its accounts together
  --latency-ms N|MIN,MAX   wait before serving each API and token request
  --help                   show this text`;

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

function share(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!/^\d*\.?\d+$/.test(raw) || value > 1)
    throw new TypeError(`--shared-share must be a number in 0..1; got ${JSON.stringify(raw)}.`);
  return value;
}

function latency(raw: string | undefined): number | [number, number] | undefined {
  if (raw === undefined) return undefined;
  const match = /^(\d+(?:\.\d+)?)(?:,(\d+(?:\.\d+)?))?$/.exec(raw);
  if (!match)
    throw new TypeError(`--latency-ms must be N or MIN,MAX (milliseconds); got ${JSON.stringify(raw)}.`);
  return match[2] === undefined ? Number(match[1]) : [Number(match[1]), Number(match[2])];
}

/** The entries whose value is not undefined (options are exact: no `key: undefined`). */
function defined<T extends Record<string, unknown>>(
  values: T,
): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
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
  let options: GoogleEmulatorOptions;
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
        accounts: { type: 'string' },
        'people-per-account': { type: 'string' },
        'shared-share': { type: 'string' },
        'shared-people': { type: 'string' },
        clients: { type: 'string' },
        'quota-user': { type: 'string' },
        'quota-project': { type: 'string' },
        'latency-ms': { type: 'string' },
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
    const accounts = integer('accounts', values.accounts, 1, 100_000_000);
    const fleetFlags = {
      peoplePerAccount: integer('people-per-account', values['people-per-account'], 0, 1_000_000),
      sharedShare: share(values['shared-share']),
      sharedPeople: integer('shared-people', values['shared-people'], 1, 100_000_000),
      clients: integer('clients', values.clients, 1, 10_000),
    };
    if (accounts === undefined && Object.values(fleetFlags).some((value) => value !== undefined)) {
      throw new TypeError(
        '--people-per-account, --shared-share, --shared-people and --clients need --accounts.',
      );
    }
    const quotaUser = integer('quota-user', values['quota-user'], 1, 1_000_000_000);
    const quotaProject = integer('quota-project', values['quota-project'], 1, 1_000_000_000);
    const latencyMs = latency(values['latency-ms']);
    options = {
      ...(port === undefined ? {} : { port }),
      ...(values.host === undefined ? {} : { host: values.host }),
      ...(seed === undefined ? {} : { seed }),
      ...(people === undefined ? {} : { people }),
      ...(otherContacts === undefined ? {} : { otherContacts }),
      ...(accounts === undefined ? {} : { fleet: { accounts, ...defined(fleetFlags) } }),
      ...(quotaUser === undefined && quotaProject === undefined
        ? {}
        : {
            quotas: defined({
              readRequestsPerMinutePerUser: quotaUser,
              readRequestsPerMinutePerProject: quotaProject,
            }),
          }),
      ...(latencyMs === undefined ? {} : { latencyMs }),
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
      ...(emulator.fleet
        ? {
            fleet: {
              accounts: emulator.fleet.accounts,
              clients: emulator.fleet.clients,
              sharedPeople: emulator.fleet.sharedPeople,
            },
          }
        : {}),
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
