import { mkdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { queryRows } from '@contacts/schema';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from './open-database.js';

/** The settings the embedded database runs with, as the server reports them. */
async function settings(dataDir: string): Promise<Record<string, string>> {
  const opened = await openDatabase({ kind: 'pglite', dataDir });
  try {
    const rows = await queryRows<{ name: string; setting: string; unit: string | null }>(
      opened.db,
      sql`select name, setting, unit from pg_settings
          where name in ('shared_buffers', 'max_connections', 'maintenance_work_mem', 'max_wal_size', 'TimeZone', 'DateStyle')`,
    );
    return Object.fromEntries(rows.map((r) => [r.name, r.unit ? `${r.setting} ${r.unit}` : r.setting]));
  } finally {
    await opened.close();
  }
}

const EXPECTED = {
  // shared_buffers counts 8 kB pages: 2048 x 8 kB = 16 MB (initdb's default is 128 MB).
  shared_buffers: '2048 8kB',
  max_connections: '5',
  maintenance_work_mem: '16384 kB',
  max_wal_size: '256 MB',
  TimeZone: 'UTC',
  DateStyle: 'ISO, MDY',
};

describe('the embedded database settings', { timeout: 120_000 }, () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'contacts-embedded-settings-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('starts a new data directory with the settings chosen for the workload, in UTC', async () => {
    expect(await settings(join(root, 'new'))).toEqual(EXPECTED);
  });

  it("applies them to a data directory an earlier version made with initdb's defaults", async () => {
    const dataDir = join(root, 'earlier');
    mkdirSync(dataDir);
    const pg = await PGlite.create({ dataDir: join(dataDir, 'pgdata') });
    const before = await pg.query<{ shared_buffers: string }>('show shared_buffers');
    expect(before.rows[0]?.shared_buffers).toBe('128MB');
    await pg.close();
    expect(await settings(dataDir)).toEqual(EXPECTED);
    // Written once per start, not appended: the file holds each setting once.
    const conf = readFileSync(join(dataDir, 'pgdata', 'postgresql.conf'), 'utf8');
    expect(conf.match(/^shared_buffers/gm)).toHaveLength(1);
  });
});
