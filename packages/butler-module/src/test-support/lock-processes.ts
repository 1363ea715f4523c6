/**
 * Test support for the data-directory lock: lock files' contents, processes a lock can name (a
 * dead pid, a live non-contacts process) and contender processes driven over IPC
 * (`lock-contender.ts`). Shared by `data-dir-lock.test.ts` and its heavy variant
 * `data-dir-lock-contenders.test.ts`. Not part of the package.
 */
import { type ChildProcess, fork, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { systemProcesses } from '../cli/process-identity.js';
import { SOURCE_EXEC_ARGV } from './cli-process.js';

const CONTENDER = fileURLToPath(new URL('./lock-contender.ts', import.meta.url));
const processes = systemProcesses();

/**
 * A fresh random token, the second line of a lock file.
 *
 * @example
 * ```ts
 * writeFileSync(lockPath, `${pid}\n${lockToken()}\n`);
 * ```
 */
export const lockToken = (): string => randomBytes(8).toString('hex');

/**
 * The lock file's `boot=` line for this machine (empty where the boot id is unknown).
 *
 * @example
 * ```ts
 * writeFileSync(lockPath, `1\n${lockToken()}\nstart=linux:1\n${bootLine()}`);
 * ```
 */
export const bootLine = (): string => (processes.bootId() ? `boot=${processes.bootId()}\n` : '');

/**
 * A pid that surely belongs to no process: one that has just exited.
 *
 * @example
 * ```ts
 * writeFileSync(lockPath, `${deadPid()}\n${lockToken()}\n`);
 * ```
 */
export function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(child.stdout);
}

/**
 * A live process that is not a contacts process, and its start time as the lock records it.
 *
 * @example
 * ```ts
 * const other = await sleeper();
 * try { writeFileSync(lockPath, `${other.pid}\n${lockToken()}\nstart=${other.start}\n`); }
 * finally { other.stop(); }
 * ```
 */
export async function sleeper(): Promise<{ pid: number; start: string; stop(): void }> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60_000)'], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('spawn', resolve));
  const pid = child.pid!;
  return { pid, start: processes.startOf(pid) ?? 'unknown', stop: () => child.kill('SIGKILL') };
}

/**
 * One contender process, and the messages it sent that nobody has taken yet.
 *
 * @example
 * ```ts
 * const contender = startContender(dataDir, 1);
 * await contender.next(); // { type: 'ready' }
 * await contender.ask('go'); // { type: 'held' } or { type: 'refused', ... }
 * contender.stop();
 * ```
 */
export class Contender {
  readonly #inbox: Record<string, unknown>[] = [];
  readonly #waiting: ((message: Record<string, unknown>) => void)[] = [];
  constructor(readonly child: ChildProcess) {
    child.on('message', (message: Record<string, unknown>) => {
      const waiter = this.#waiting.shift();
      if (waiter) waiter(message);
      else this.#inbox.push(message);
    });
  }
  next(): Promise<Record<string, unknown>> {
    const message = this.#inbox.shift();
    if (message) return Promise.resolve(message);
    return new Promise((resolve) => this.#waiting.push(resolve));
  }
  async ask(type: string): Promise<Record<string, unknown>> {
    this.child.send({ type });
    return this.next();
  }
  stop(): void {
    if (this.child.connected) this.child.send({ type: 'exit' });
    this.child.kill();
  }
}

/**
 * Forks a contender for `dataDir`'s lock, pausing up to `maxPauseMs` (seeded by `seed`) after each
 * read of a lock file.
 *
 * @example
 * ```ts
 * const contenders = [1, 2, 3].map((seed) => startContender(dataDir, seed, 4));
 * ```
 */
export function startContender(dataDir: string, seed: number, maxPauseMs = 0): Contender {
  return new Contender(
    fork(CONTENDER, [dataDir, String(seed), String(maxPauseMs)], {
      execArgv: [...SOURCE_EXEC_ARGV],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
}
