import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Modes of the embedded database's directories and files: the owner's alone, as PostgreSQL wants. */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;
const GROUP_AND_OTHERS = 0o077;

/**
 * Creates `dir` (and missing parents) readable by its owner only. When it exists already, group
 * and others' bits are taken off it, unless `tighten` says no for its entries: a directory that
 * holds other things than ours (`--data-dir /tmp`, or a home directory) is not ours to change.
 *
 * @example
 * ```ts
 * makePrivateDir('/home/me/.contacts/pgdata'); // drwx------
 * makePrivateDir('/home/me/.contacts', (names) => names.every((n) => n === 'pgdata'));
 * ```
 */
export function makePrivateDir(dir: string, tighten: (entries: string[]) => boolean = () => true): void {
  const created = mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (created !== undefined) return;
  const { mode } = lstatSync(dir);
  if (mode & GROUP_AND_OTHERS && tighten(readdirSync(dir))) chmodSync(dir, mode & ~GROUP_AND_OTHERS & 0o7777);
}

/**
 * Takes group and others' bits off every directory and file under `root` (not following symbolic
 * links), so a data directory written by an earlier version (files 0666, directories 0755) is
 * private again before it is opened. Returns how many entries were visited and how many repaired.
 *
 * @example
 * ```ts
 * const { visited, repaired } = repairPrivateTree('/home/me/.contacts/pgdata');
 * ```
 */
export function repairPrivateTree(root: string): { visited: number; repaired: number } {
  let visited = 0;
  let repaired = 0;
  const visit = (path: string): void => {
    const stat = lstatSync(path);
    visited += 1;
    if (stat.isSymbolicLink()) return;
    if (stat.mode & GROUP_AND_OTHERS) {
      chmodSync(path, stat.mode & ~GROUP_AND_OTHERS & 0o7777);
      repaired += 1;
    }
    if (stat.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
  };
  visit(root);
  return { visited, repaired };
}
