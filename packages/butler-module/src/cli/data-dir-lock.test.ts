import { type ChildProcess, fork, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SOURCE_EXEC_ARGV } from '../test-support/cli-process.js';
import { acquireDataDirLock, LOCK_FILE } from './data-dir-lock.js';
import { systemProcesses } from './process-identity.js';

// Issue 11, defect 8: a lock holding pid 1 (a server killed in a container) blocked the data
// directory for ever, and with six processes contending for a stale lock, 8 of 300 rounds had two
// or three holders (each checked the lock, then unlinked the fresh lock another had just taken).

const CONTENDER = fileURLToPath(new URL('../test-support/lock-contender.ts', import.meta.url));
const CONTENDERS = 6;
const ROUNDS = Number(process.env.CONTACTS_LOCK_ROUNDS ?? 150);
/** Longest pause after each read of a lock file in a contender: widens every check-then-act window. */
const MAX_PAUSE_MS = 4;

const processes = systemProcesses();
const token = () => randomBytes(8).toString('hex');
const bootLine = () => (processes.bootId() ? `boot=${processes.bootId()}\n` : '');

/** A pid that surely belongs to no process: one that has just exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(child.stdout);
}

/** A live process that is not a contacts process, and its start time as the lock records it. */
async function sleeper(): Promise<{ pid: number; start: string; stop(): void }> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60_000)'], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('spawn', resolve));
  const pid = child.pid!;
  return { pid, start: processes.startOf(pid) ?? 'unknown', stop: () => child.kill('SIGKILL') };
}

/** One contender process, and the messages it sent that nobody has taken yet. */
class Contender {
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

describe('the data-directory lock (issue 11, defect 8)', () => {
  let root: string;
  let dataDir: string;
  let lockPath: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'contacts-lock-'));
  });
  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });
  const fresh = async () => {
    dataDir = await mkdtemp(join(root, 'dir-'));
    lockPath = join(dataDir, LOCK_FILE);
  };
  const holderOf = (path: string) => readFileSync(path, 'utf8').split('\n')[0];
  const startContender = (seed: number, maxPauseMs = 0) =>
    new Contender(
      fork(CONTENDER, [dataDir, String(seed), String(maxPauseMs)], {
        execArgv: [...SOURCE_EXEC_ARGV],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      }),
    );

  it('takes over the lock of pid 1 left by a server killed in a container', async () => {
    await fresh();
    // The container's pid 1 started at another time than this machine's pid 1 (or this container's).
    writeFileSync(lockPath, `1\n${token()}\nstart=linux:1\n${bootLine()}`);
    const lock = await acquireDataDirLock(dataDir);
    expect(holderOf(lockPath)).toBe(String(process.pid));
    lock.release();
    expect(existsSync(lockPath)).toBe(false);
  });

  it('takes over a lock whose pid now names another process, and refuses it while its own process runs', async () => {
    await fresh();
    const other = await sleeper();
    try {
      expect(other.start).toMatch(/^linux:\d+$/);
      writeFileSync(lockPath, `${other.pid}\n${token()}\nstart=linux:1\n${bootLine()}`);
      const lock = await acquireDataDirLock(dataDir);
      expect(holderOf(lockPath)).toBe(String(process.pid));
      lock.release();

      writeFileSync(lockPath, `${other.pid}\n${token()}\nstart=${other.start}\n${bootLine()}`);
      await expect(acquireDataDirLock(dataDir)).rejects.toThrow(
        `is in use by another contacts process (pid ${other.pid})`,
      );
      // Written before this machine last started: whoever holds that pid now is someone else.
      writeFileSync(lockPath, `${other.pid}\n${token()}\nstart=${other.start}\nboot=an-earlier-boot\n`);
      (await acquireDataDirLock(dataDir)).release();
    } finally {
      other.stop();
    }
  });

  it("takes over an earlier version's lock (pid only) that names the process which started it, as PostgreSQL does", async () => {
    await fresh();
    // The contender's parent is this test process: its pid in a lock cannot be a live holder.
    writeFileSync(lockPath, `${process.pid}\n${token()}\n`);
    const child = startContender(0);
    try {
      expect((await child.next()).type).toBe('ready');
      expect(await child.ask('go')).toEqual({ type: 'held' });
      expect(holderOf(lockPath)).toBe(String(child.child.pid));
      expect((await child.ask('release')).type).toBe('released');
    } finally {
      child.stop();
    }
    expect(existsSync(lockPath)).toBe(false);

    // Any other live pid in such a lock may be a contacts process of that version: refused.
    const other = await sleeper();
    try {
      writeFileSync(lockPath, `${other.pid}\n${token()}\n`);
      await expect(acquireDataDirLock(dataDir)).rejects.toThrow(`(pid ${other.pid})`);
    } finally {
      other.stop();
    }
    writeFileSync(lockPath, `${deadPid()}\n${token()}\n`);
    (await acquireDataDirLock(dataDir)).release();
  });

  it(`never has two holders when ${CONTENDERS} processes contend for a stale lock, ${ROUNDS} rounds`, {
    timeout: 300_000,
  }, async () => {
    await fresh();
    const gone = deadPid();
    const live = await sleeper();
    const contenders = Array.from({ length: CONTENDERS }, (_, i) => startContender(i + 1, MAX_PAUSE_MS));
    // Every kind of stale lock: a dead pid, a reused pid, an earlier version's dead pid.
    const staleLocks = [
      () => `${gone}\n${token()}\nstart=linux:1\n${bootLine()}`,
      () => `${live.pid}\n${token()}\nstart=linux:1\n${bootLine()}`,
      () => `${gone}\n${token()}\n`,
    ];
    const wrong: string[] = [];
    let refusals = 0;
    try {
      for (const contender of contenders) expect((await contender.next()).type).toBe('ready');
      for (let round = 0; round < ROUNDS; round += 1) {
        writeFileSync(lockPath, staleLocks[round % staleLocks.length]!());
        const answers = await Promise.all(contenders.map((c) => c.ask('go')));
        const holders = contenders.filter((_, i) => answers[i]!.type === 'held');
        for (const answer of answers) {
          if (answer.type !== 'refused') continue;
          refusals += 1;
          // Refused only because someone holds it: never "keeps being taken", never an I/O error.
          if (!String(answer.message).includes('in use by another contacts process')) {
            wrong.push(`round ${round}: ${String(answer.message)}`);
          }
        }
        if (holders.length !== 1) wrong.push(`round ${round}: ${holders.length} holders`);
        for (const holder of holders) expect((await holder.ask('release')).type).toBe('released');
        rmSync(lockPath, { force: true });
      }
    } finally {
      for (const contender of contenders) contender.stop();
      live.stop();
    }
    expect(wrong).toEqual([]);
    expect(refusals).toBe(ROUNDS * (CONTENDERS - 1));
  });
});
