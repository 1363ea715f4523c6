import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../test-support/cli-harness.js';
import { acquireDataDirLock, LOCK_FILE } from './data-dir-lock.js';

/** A pid that surely belongs to no process: one that has just exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(child.stdout);
}

describe('the embedded database in --data-dir', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'contacts-data-dir-'));
  });
  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('is created on disk by migrate (status never makes one), and the lock is released after each command', async () => {
    const status = await runCli(['status'], { cwd: root });
    expect(status.code).toBe(2);
    expect(status.stderr).toMatch(
      /^contacts: There is no data directory .*\.contacts \(nothing was created\): run `contacts migrate` to make one there/,
    );
    expect(existsSync(join(root, '.contacts'))).toBe(false);
    const migrate = await runCli(['migrate'], { cwd: root });
    expect(migrate.code, migrate.stderr).toBe(0);
    expect(migrate.stdout).toMatch(/applied shared\/0000_init, (shared\/\S+, )*butler\/0000_init/);
    expect(existsSync(join(root, '.contacts', 'pgdata', 'PG_VERSION'))).toBe(true);
    expect(existsSync(join(root, '.contacts', LOCK_FILE))).toBe(false);
    // The data survives the process: a second open sees the tables.
    const again = await runCli(['status', '--json'], { cwd: root });
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ provider: 'google', contact_count: 0 });
    // Another butler schema in the same database: no tables there yet.
    const other = await runCli(['status', '--butler-schema', 'elsewhere'], { cwd: root });
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(
      /^contacts: The embedded database in .*\.contacts has no contacts tables for butler schema "elsewhere" yet: run `contacts migrate` first\.\n$/,
    );
  });

  it('refuses a second process on the same data directory, naming the holder', async () => {
    const dataDir = join(root, '.contacts');
    const held = await acquireDataDirLock(dataDir);
    try {
      expect(readFileSync(held.path, 'utf8').split('\n')[0]).toBe(String(process.pid));
      const refused = await runCli(['status', '--data-dir', dataDir]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toBe(
        `contacts: The data directory ${dataDir} is in use by another contacts process (pid ${process.pid}). Stop that process, or pass --data-dir for another directory (or --database-url for PostgreSQL).\n`,
      );
      await expect(acquireDataDirLock(dataDir)).rejects.toThrow(/in use by another contacts process/);
    } finally {
      held.release();
    }
    expect(existsSync(held.path)).toBe(false);
    expect((await runCli(['status', '--data-dir', dataDir])).code).toBe(0);
  });

  it('takes over a stale lock whose process is gone', async () => {
    const dataDir = join(root, '.contacts');
    writeFileSync(join(dataDir, LOCK_FILE), `${deadPid()}\nstale-token\n`);
    const result = await runCli(['status', '--data-dir', dataDir]);
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
  });

  it('uses CONTACTS_DATABASE_URL over the data directory', async () => {
    const result = await runCli(['status'], {
      cwd: root,
      env: { CONTACTS_DATABASE_URL: 'postgres://nobody:pw@127.0.0.1:1/none' },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^contacts: .*ECONNREFUSED/);
    expect(result.stderr).not.toContain(':pw@');
  });
});
