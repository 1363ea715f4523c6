import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bootLine,
  startContender as contender,
  deadPid,
  sleeper,
  lockToken as token,
} from '../test-support/lock-processes.js';
import { acquireDataDirLock, LOCK_FILE } from './data-dir-lock.js';

// Issue 11, defect 8: a lock holding pid 1 (a server killed in a container) blocked the data
// directory for ever, and with six processes contending for a stale lock, 8 of 300 rounds had two
// or three holders (each checked the lock, then unlinked the fresh lock another had just taken).
// The six contenders are in data-dir-lock-contenders.test.ts (`pnpm test:heavy`).

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
  const startContender = (seed: number, maxPauseMs = 0) => contender(dataDir, seed, maxPauseMs);

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
});
