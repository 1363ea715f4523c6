import { rmSync, writeFileSync } from 'node:fs';
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
import { LOCK_FILE } from './data-dir-lock.js';

// Issue 11, defect 8: with six processes contending for a stale lock, 8 of 300 rounds had two or
// three holders (each checked the lock, then unlinked the fresh lock another had just taken).
// A heavy variant (`pnpm test:heavy`): six forked processes, 150 rounds. The lock's single-process
// cases are in data-dir-lock.test.ts.

const CONTENDERS = 6;
const ROUNDS = Number(process.env.CONTACTS_LOCK_ROUNDS ?? 150);
/** Longest pause after each read of a lock file in a contender: widens every check-then-act window. */
const MAX_PAUSE_MS = 4;

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
  const startContender = (seed: number, maxPauseMs = 0) => contender(dataDir, seed, maxPauseMs);

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
