/**
 * Test support: the `contacts` command as a real child process, and a way to SIGKILL it at a
 * chosen moment of its sync. Not part of the package.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The package directory: the command's working directory in tests. */
export const PACKAGE_DIR = fileURLToPath(new URL('../../', import.meta.url));
const CLI_SOURCE = fileURLToPath(new URL('../cli/bin.ts', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** Node flags that run this package's TypeScript sources in a child process (`fork`'s `execArgv`). */
export const SOURCE_EXEC_ARGV: readonly string[] = ['--conditions=@contacts/source', '--import', TSX];

/**
 * How to start `contacts <args>` from source as ONE process: what `bin/contacts.mjs` runs in a
 * checkout, without that launcher in between (a kill of the launcher would leave the command
 * running as an orphan).
 *
 * @example
 * ```ts
 * const { command, args } = cliCommand(['sync', '--full']);
 * spawn(command, args);
 * ```
 */
export function cliCommand(args: string[]): { command: string; args: string[] } {
  return {
    command: process.execPath,
    args: [...SOURCE_EXEC_ARGV, CLI_SOURCE, ...args],
  };
}

/**
 * When to kill: once the command's log has shown `event` `count` times (`--verbose` logs
 * `contacts_sync_started` when the cycle begins and `contacts_sync_page` after each commit),
 * wait `delayMs` (0: at once, between pages), run `beforeKill` (to observe the moment), then
 * SIGKILL.
 */
export interface KillPlan {
  event: 'contacts_sync_started' | 'contacts_sync_page';
  count: number;
  delayMs: number;
  beforeKill?: () => Promise<void>;
}

/** How a run ended. `killed` is set only when the plan's SIGKILL ended it. */
export interface CliRun {
  code: number | null;
  killed: boolean;
  stdout: string;
  stderr: string;
}

/** `contacts <args>` as a child of its own, with a minimal environment plus `env`. */
function spawnCli(args: string[], env: Record<string, string>) {
  const { command, args: argv } = cliCommand(args);
  return spawn(command, argv, {
    cwd: PACKAGE_DIR,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/**
 * Runs `contacts <args>` to its end, or until the plan kills it.
 *
 * @example
 * ```ts
 * const run = await runCliProcess(['sync', '--verbose', '--data-dir', dir], {
 *   event: 'contacts_sync_page', count: 2, delayMs: 120,
 * });
 * run.killed; // true unless the sync finished first
 * ```
 */
export function runCliProcess(
  args: string[],
  plan: KillPlan | null,
  env: Record<string, string> = {},
): Promise<CliRun> {
  const child = spawnCli(args, env);
  let stdout = '';
  let stderr = '';
  let pending = '';
  let seen = 0;
  let killing = false;
  let exited = false;
  const kill = async (p: KillPlan) => {
    killing = true;
    if (p.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, p.delayMs));
    if (exited) return;
    await p.beforeKill?.();
    child.kill('SIGKILL');
  };
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    stderr += text;
    pending += text;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const event = line.split(' ')[2];
      if (plan && !killing && event === plan.event && ++seen >= plan.count) void kill(plan);
    }
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    // 'close', not 'exit': every byte of its output has been read by then.
    child.on('close', (code, signal) => {
      exited = true;
      resolve({ code, killed: signal === 'SIGKILL', stdout, stderr });
    });
  });
}

/** A `contacts` child process started by {@link startCliProcess}. */
export interface StartedCli {
  readonly pid: number;
  /** Sends `signal` to the command (not to a launcher: there is none). */
  signal(signal: NodeJS.Signals): void;
  /** How it ended: exit code (null when a signal killed it), the signal, and its output. */
  readonly finished: Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }>;
}

/**
 * Starts `contacts <args>` and returns at once, so that a test can signal it at a moment of its
 * choosing (for example once a server saw its connection).
 *
 * @example
 * ```ts
 * const cli = startCliProcess(['status', '--database-url', url]);
 * await server.accepted();
 * cli.signal('SIGTERM');
 * const { code, stderr } = await cli.finished;
 * ```
 */
export function startCliProcess(args: string[], env: Record<string, string> = {}): StartedCli {
  const child = spawnCli(args, env);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const finished = new Promise<Awaited<StartedCli['finished']>>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { pid: child.pid ?? -1, signal: (signal) => child.kill(signal), finished };
}
