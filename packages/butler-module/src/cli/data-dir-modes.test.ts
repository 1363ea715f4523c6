import { chmodSync, lstatSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { type GoogleEmulator, startGoogleEmulator } from '@contacts/google-emulator';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../test-support/cli-harness.js';
import { openDatabase } from './open-database.js';

// Issue 11, defect 4: under --data-dir the WAL (holding the refresh token) and ~900 data files
// were mode 0666 and the directories 0755, so any user of the machine could read the token.

/** Every entry under `root` (itself included) that group or others may touch, with its mode. */
function exposed(root: string): string[] {
  const found: string[] = [];
  const visit = (path: string) => {
    const stat = lstatSync(path);
    if (stat.mode & 0o077) found.push(`${relative(root, path) || '.'} ${(stat.mode & 0o777).toString(8)}`);
    if (stat.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
  };
  visit(root);
  return found;
}

function countFiles(root: string): number {
  let count = 0;
  const visit = (path: string) => {
    const stat = lstatSync(path);
    if (stat.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
    else count += 1;
  };
  visit(root);
  return count;
}

const walSegments = (dataDir: string) =>
  readdirSync(join(dataDir, 'pgdata', 'pg_wal')).filter((name) => /^[0-9A-F]{24}$/.test(name));

describe('the embedded database is private to its owner (issue 11, defect 4)', () => {
  let root: string;
  let emulator: GoogleEmulator;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'contacts-modes-'));
    emulator = await startGoogleEmulator({ people: 40, seed: 11 });
  });
  afterAll(async () => {
    await emulator?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('a sync in a fresh data directory, and the WAL segments written after it, leave nothing group- or world-accessible', {
    timeout: 240_000,
  }, async () => {
    const dataDir = join(root, 'fresh');
    const target = ['--data-dir', dataDir];
    const { clientId, clientSecret, refreshToken } = emulator.credentials;
    for (const [key, value] of [
      ['GOOGLE_OAUTH_CLIENT_ID', clientId],
      ['GOOGLE_OAUTH_CLIENT_SECRET', clientSecret],
      ['GOOGLE_REFRESH_TOKEN', refreshToken],
    ] as const) {
      const stored = await runCli(['secrets', 'set', key, value, ...target]);
      expect(stored.code, stored.stderr).toBe(0);
    }
    const google = ['--google-root-url', emulator.url, '--google-token-url', emulator.tokenUrl];
    const synced = await runCli(['sync', '--json', ...target, ...google]);
    expect(synced.code, synced.stderr).toBe(0);
    expect(JSON.parse(synced.stdout).summary.created).toBe(40);

    // Files PostgreSQL creates long after it opened: WAL segments, written while the database is
    // open. Switching segments twice makes it create at least one.
    const before = walSegments(dataDir);
    const opened = await openDatabase({ kind: 'pglite', dataDir });
    try {
      for (let i = 0; i < 3; i += 1) {
        await opened.db.execute(sql`create table if not exists wal_probe (v text)`);
        await opened.db.execute(sql`insert into wal_probe values (repeat('x', 1000))`);
        await opened.db.execute(sql`select pg_switch_wal()`);
      }
    } finally {
      await opened.close();
    }
    expect(walSegments(dataDir).filter((name) => !before.includes(name)).length).toBeGreaterThan(0);

    expect(countFiles(dataDir)).toBeGreaterThan(500);
    expect(exposed(dataDir)).toEqual([]);
  });

  it('repairs a data directory an earlier version left with 0666 files and 0755 directories on the next open', {
    timeout: 120_000,
  }, async () => {
    const dataDir = join(root, 'earlier');
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    // What the earlier version did: PGlite on its default filesystem, modes as it left them.
    const pg = await PGlite.create({ dataDir: join(dataDir, 'pgdata') });
    await pg.close();
    const widen = (path: string) => {
      const stat = lstatSync(path);
      chmodSync(path, stat.isDirectory() ? 0o755 : 0o666);
      if (stat.isDirectory()) for (const name of readdirSync(path)) widen(join(path, name));
    };
    widen(dataDir);
    expect(exposed(dataDir).length).toBeGreaterThan(500);

    const migrated = await runCli(['migrate', '--data-dir', dataDir]);
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(exposed(dataDir)).toEqual([]);
  });

  it('keeps its hands off a --data-dir that holds other things, and makes its own pgdata private', {
    timeout: 120_000,
  }, async () => {
    const shared = join(root, 'shared');
    mkdirSync(shared, { mode: 0o755 });
    chmodSync(shared, 0o755);
    writeFileSync(join(shared, 'notes.txt'), 'not ours\n', { mode: 0o644 });
    const migrated = await runCli(['migrate', '--data-dir', shared]);
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(statSync(shared).mode & 0o777).toBe(0o755);
    expect(statSync(join(shared, 'notes.txt')).mode & 0o777).toBe(0o644);
    expect(exposed(join(shared, 'pgdata'))).toEqual([]);
  });
});
