import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ContactsModuleError } from '../errors.js';

/** A held lock on a data directory; `release()` is idempotent and also runs at process exit. */
export interface DataDirLock {
  readonly path: string;
  release(): void;
}

/** The lock file's name inside the data directory. */
export const LOCK_FILE = 'contacts.lock';

function holderPid(path: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8').split('\n')[0] ?? '', 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the data directory's lock file, holding this process's pid: an embedded PGlite database
 * opened by two processes at once gets corrupted, so the second one must be refused. The file is
 * written under a temporary name and hard-linked into place, so it never exists without its pid;
 * a lock whose process is gone (`kill(pid, 0)` fails) is stale and taken over.
 *
 * @throws ContactsModuleError `DATA_DIR_LOCKED` naming the holder's pid.
 * @example
 * ```ts
 * const lock = acquireDataDirLock('/home/me/.contacts');
 * try { ... } finally { lock.release(); }
 * ```
 */
export function acquireDataDirLock(dataDir: string): DataDirLock {
  const path = join(dataDir, LOCK_FILE);
  const token = randomBytes(8).toString('hex');
  const content = `${process.pid}\n${token}\n`;
  const temporary = join(dataDir, `.${LOCK_FILE}.${process.pid}.${token}`);
  writeFileSync(temporary, content, { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      try {
        linkSync(temporary, path);
        return held(path, content);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const pid = holderPid(path);
      if (pid !== null && isAlive(pid)) {
        throw new ContactsModuleError(
          'DATA_DIR_LOCKED',
          `The data directory ${dataDir} is in use by another contacts process (pid ${pid}). Stop that process, or pass --data-dir for another directory (or --database-url for PostgreSQL).`,
        );
      }
      // Stale: its process is gone. Remove it only if it still is the one we judged.
      if (holderPid(path) === pid) {
        try {
          unlinkSync(path);
        } catch {
          // Someone else removed it first; try again.
        }
      }
    }
    throw new ContactsModuleError(
      'DATA_DIR_LOCKED',
      `Could not take the lock ${path}: other processes keep taking it. Try again.`,
    );
  } finally {
    try {
      unlinkSync(temporary);
    } catch {
      // Already gone.
    }
  }
}

function held(path: string, content: string): DataDirLock {
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    process.off('exit', release);
    try {
      // Only our own lock: a stale-lock takeover may have replaced it.
      if (readFileSync(path, 'utf8') === content) unlinkSync(path);
    } catch {
      // Already gone.
    }
  };
  process.on('exit', release);
  return { path, release };
}
