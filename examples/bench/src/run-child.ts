import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CardDavJobMessage, cardDavMessageIs, serveCardDavControl } from './carddav/carddav-ipc.js';
import type { CardDavControl, CardDavJob, CardDavRunResult } from './carddav/carddav-types.js';
import { type JobMessage, messageIs, serveControl } from './child-ipc.js';
import type { EmulatorControl } from './emulator-control.js';
import type { CaseJob, RunResult } from './run-types.js';

/** Options of {@link runInChild}. */
export interface RunInChildOptions {
  /** Extra node flags for the child (`--cpu-prof ...`). */
  execArgv?: readonly string[];
  /** How long a child may linger after sending its result before it is stopped (default 15 s). */
  exitGraceMs?: number;
}

// The child entry next to this module: `.ts` when run from source through tsx, `.js` if built.
const CHILD_ENTRY = fileURLToPath(
  new URL(`./child-main${extname(fileURLToPath(import.meta.url))}`, import.meta.url),
);

/**
 * Forks the child entry (same flags as this process, so the `@contacts/source` condition and the
 * tsx loader carry over), lets `serve` answer its calls, sends it `job` and resolves with what
 * `pick` finds in its outcome once it has exited.
 */
async function forkRun<R>(
  job: unknown,
  serve: (child: ChildProcess) => void,
  pick: (message: unknown) => R | undefined,
  options: RunInChildOptions,
): Promise<R> {
  const child = fork(CHILD_ENTRY, [], {
    // --expose-gc: the heap retained after each sync is read after a full collection.
    execArgv: [...process.execArgv, '--expose-gc', ...(options.execArgv ?? [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  serve(child);
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  let outcome: { result: R } | { error: string } | undefined;
  child.on('message', (message) => {
    const result = pick(message);
    if (result !== undefined) outcome = { result };
    else if (messageIs.failed(message)) outcome = { error: message.error };
  });
  child.send(job as object);

  let lingering: NodeJS.Timeout | undefined;
  child.on('disconnect', () => {
    // A result is in; a child still alive after the grace period holds a handle it forgot.
    lingering = setTimeout(() => child.kill(), options.exitGraceMs ?? 15_000);
  });
  const [code, signal] = await exited;
  clearTimeout(lingering);
  if (outcome && 'result' in outcome) return outcome.result;
  if (outcome) throw new Error(`the benchmark child failed: ${outcome.error}`);
  throw new Error(
    `the benchmark child exited without a result (${signal ? `signal ${signal}` : `code ${code}`})`,
  );
}

/**
 * Runs one {@link CaseJob} in a fresh node process and answers its emulator admin calls with
 * `control`. Resolves with the run's result once the child has exited.
 *
 * @throws Error when the run fails or the child dies without a result.
 */
export function runInChild(
  job: CaseJob,
  control: EmulatorControl,
  options: RunInChildOptions = {},
): Promise<RunResult> {
  return forkRun(
    { kind: 'job', job, connection: control.connection } satisfies JobMessage,
    (child) => serveControl(child, control),
    (message) => (messageIs.done(message) ? message.result : undefined),
    options,
  );
}

/**
 * Runs one {@link CardDavJob} in a fresh node process and answers its calls on the Radicale book
 * with `control`.
 *
 * @throws Error when the run fails or the child dies without a result.
 */
export function runCardDavInChild(
  job: CardDavJob,
  control: CardDavControl,
  options: RunInChildOptions = {},
): Promise<CardDavRunResult> {
  return forkRun(
    { kind: 'carddav-job', job, connection: control.connection } satisfies CardDavJobMessage,
    (child) => serveCardDavControl(child, control),
    (message) => (cardDavMessageIs.done(message) ? message.result : undefined),
    options,
  );
}
