import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ContactsModuleError } from '../errors.js';
import { formatLockRecord, judgeLock, type LockRecord, parseLockRecord } from './lock-record.js';
import { type ProcessTable, systemProcesses } from './process-identity.js';

/** A held lock on a data directory; `release()` is idempotent and also runs at process exit. */
export interface DataDirLock {
  readonly path: string;
  release(): void;
}

/** The lock file's name inside the data directory. */
export const LOCK_FILE = 'contacts.lock';

/** How {@link acquireDataDirLock} sees processes and waits; tests substitute them. */
export interface DataDirLockOptions {
  processes?: ProcessTable;
  /** Waits between attempts while another live process is breaking the same stale lock. */
  pause?: (ms: number) => Promise<void>;
}

// Another process breaking a stale lock holds its claim for a few file operations: waiting
// 400 x 5 ms for it is ample, and bounds the wait if something keeps taking the lock.
const ATTEMPTS = 400;
const PAUSE_MS = 5;
// A claim whose breaker died is broken through a claim of its own; deeper chains mean crashes
// in a loop, which a person should look at.
const MAX_CLAIM_DEPTH = 3;

function tryLink(from: string, to: string): boolean {
  try {
    linkSync(from, to);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

function readRecord(path: string): LockRecord | null {
  try {
    return parseLockRecord(readFileSync(path, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}

/**
 * Takes the data directory's lock file: an embedded PGlite database opened by two processes at
 * once gets corrupted, so the second one is refused.
 *
 * The file is written under a temporary name and hard-linked into place (`link` fails when the
 * name exists: an atomic create), so it never exists without its content, and its content never
 * changes. It names the holder by pid, start time and boot (see {@link judgeLock}), so a holder
 * that died, a pid reused since (a container's pid 1) or an earlier boot's holder is stale.
 *
 * Breaking a stale lock is race-free: `check, then unlink` could unlink the fresh lock another
 * process took in between. So a stale lock is removed only by the process that holds its claim,
 * `contacts.lock.<its id>.breaking`, itself taken with `link`; each lock file has its own id,
 * so only one process at a time may remove that file, and a fresh lock (another id) is never
 * removed. A claim whose breaker died is broken the same way, one level down.
 *
 * @throws ContactsModuleError `DATA_DIR_LOCKED` naming the holder's pid.
 * @example
 * ```ts
 * const lock = await acquireDataDirLock('/home/me/.contacts');
 * try { ... } finally { lock.release(); }
 * ```
 */
export async function acquireDataDirLock(
  dataDir: string,
  options: DataDirLockOptions = {},
): Promise<DataDirLock> {
  const processes = options.processes ?? systemProcesses();
  const pause = options.pause ?? ((ms: number) => sleep(ms));
  const path = join(dataDir, LOCK_FILE);
  const token = randomBytes(8).toString('hex');
  const content = formatLockRecord(processes, token);
  const temporary = join(dataDir, `.${LOCK_FILE}.${process.pid}.${token}`);
  writeFileSync(temporary, content, { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
      if (tryLink(temporary, path)) return held(path, content);
      const current = readRecord(path);
      // Released between the two calls: try again at once.
      if (current === null) continue;
      const verdict = judgeLock(current, processes);
      if (verdict.held) {
        throw new ContactsModuleError(
          'DATA_DIR_LOCKED',
          `The data directory ${dataDir} is in use by another contacts process (pid ${verdict.pid}). Stop that process, or pass --data-dir for another directory (or --database-url for PostgreSQL).`,
        );
      }
      if (!breakStale(path, current, temporary, processes, 0)) await pause(PAUSE_MS);
    }
    throw new ContactsModuleError(
      'DATA_DIR_LOCKED',
      `Could not take the lock ${path}: other processes keep taking it. Try again.`,
    );
  } finally {
    removeQuietly(temporary);
  }
}

/**
 * Removes the stale lock file at `path` if it still is `stale`, under its claim. Returns false
 * when a live process holds the claim (it is removing that file now: wait and look again).
 */
function breakStale(
  path: string,
  stale: LockRecord,
  temporary: string,
  processes: ProcessTable,
  depth: number,
): boolean {
  const claim = `${path}.${stale.id}.breaking`;
  if (tryLink(temporary, claim)) {
    try {
      // Only this claim's holder removes this file, and a lock file's content never changes:
      // the file is still the stale one exactly when its id is, and stays so until unlinked.
      if (readRecord(path)?.id === stale.id) removeQuietly(path);
    } finally {
      removeQuietly(claim);
    }
    return true;
  }
  const breaker = readRecord(claim);
  // Its breaker has just finished.
  if (breaker === null) return true;
  if (judgeLock(breaker, processes).held) return false;
  if (depth >= MAX_CLAIM_DEPTH) {
    throw new ContactsModuleError(
      'DATA_DIR_LOCKED',
      `Could not break the stale lock ${path}: processes breaking it keep dying. Remove ${claim} and try again.`,
    );
  }
  return breakStale(claim, breaker, temporary, processes, depth + 1);
}

function held(path: string, content: string): DataDirLock {
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    process.off('exit', release);
    try {
      // Only our own lock: it is ours while its content is, and nobody else removes it while we
      // run (a breaker must first judge us gone).
      if (readFileSync(path, 'utf8') === content) unlinkSync(path);
    } catch {
      // Already gone.
    }
  };
  process.on('exit', release);
  return { path, release };
}
