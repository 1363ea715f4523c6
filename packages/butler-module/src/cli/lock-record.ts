import { createHash } from 'node:crypto';
import type { ProcessTable } from './process-identity.js';

/**
 * What a lock file says about its holder. Line 1 is the pid (as in PostgreSQL's postmaster.pid),
 * line 2 a random token naming this one lock, then `start=` (the holder's start time) and
 * `boot=` (the machine's boot id). Files of earlier versions hold only the first two lines.
 *
 * @example
 * ```ts
 * const record = parseLockRecord('4242\n9f86d081884c7d65\nstart=linux:186577\nboot=87201f64-...\n');
 * record.pid; // 4242
 * ```
 */
export interface LockRecord {
  pid: number | null;
  /** Names this lock file and no other: the token, or a digest of a file without one. */
  id: string;
  start: string | null;
  boot: string | null;
}

/** The text of a lock file for this process. */
export function formatLockRecord(processes: ProcessTable, token: string): string {
  const { pid, start } = processes.self();
  const boot = processes.bootId();
  return `${pid}\n${token}\nstart=${start}\n${boot ? `boot=${boot}\n` : ''}`;
}

/** Reads a lock file's text; never throws (a file that is no lock record is judged stale). */
export function parseLockRecord(text: string): LockRecord {
  const [first = '', second = '', ...rest] = text.split('\n');
  const pid = /^\d+$/.test(first) && Number(first) > 0 ? Number(first) : null;
  const field = (key: string) =>
    rest.find((line) => line.startsWith(`${key}=`))?.slice(key.length + 1) || null;
  const id = /^[0-9a-f]{8,64}$/.test(second)
    ? second
    : `digest-${createHash('sha256').update(text).digest('hex').slice(0, 32)}`;
  return { pid, id, start: field('start'), boot: field('boot') };
}

/** Whether a lock's holder still runs, and if not, why (for the log and the tests). */
export type LockVerdict = { held: true; pid: number } | { held: false; reason: string };

/**
 * Judges a lock file's holder. The lock is stale when its file names no process; when it was
 * written in an earlier boot; when its pid is gone; or when its pid now belongs to a process that
 * started at another time (a reused pid: after a container restart, a new pid 1). A lock of an
 * earlier version, without a start time, follows PostgreSQL's postmaster.pid rule: our own, our
 * parent's or our grandparent's pid cannot be a live holder (they started before us and never
 * opened this directory, or the pid was reused), any other live pid is one.
 *
 * @example
 * ```ts
 * const verdict = judgeLock(parseLockRecord(text), systemProcesses());
 * if (verdict.held) throw new Error(`in use by pid ${verdict.pid}`);
 * ```
 */
export function judgeLock(record: LockRecord, processes: ProcessTable): LockVerdict {
  const { pid } = record;
  if (pid === null) return { held: false, reason: 'the lock file names no process' };
  const boot = processes.bootId();
  if (record.boot && boot && record.boot !== boot) {
    return { held: false, reason: `pid ${pid} held it before the machine restarted` };
  }
  const self = processes.self();
  if (record.start !== null) {
    // Our own pid is this process only if it started when this process did.
    if (pid === self.pid) return sameStart(pid, record.start === self.start);
    if (!processes.isAlive(pid)) return { held: false, reason: `pid ${pid} is gone` };
    const start = processes.startOf(pid);
    // Its start cannot be read (another platform, a hidden /proc): a live pid is a holder.
    return start === null ? { held: true, pid } : sameStart(pid, start === record.start);
  }
  const parent = processes.parentOf(self.pid);
  const grandparent = parent === null ? null : processes.parentOf(parent);
  if (pid === self.pid || pid === parent || pid === grandparent) {
    return { held: false, reason: `pid ${pid} is this process or one that started it` };
  }
  return processes.isAlive(pid) ? { held: true, pid } : { held: false, reason: `pid ${pid} is gone` };
}

function sameStart(pid: number, same: boolean): LockVerdict {
  return same ? { held: true, pid } : { held: false, reason: `pid ${pid} now names another process` };
}
