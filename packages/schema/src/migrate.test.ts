import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { queryRows } from './database.js';
import { SchemaError } from './errors.js';
import { migrate } from './migrate.js';
import { createTestDatabase, testDrivers } from './testing/index.js';

const tablesIn = (schema: string) => sql`
  select table_name from information_schema.tables where table_schema = ${schema} order by table_name`;

const BUTLER_TABLES = [
  'activity_feed',
  'addresses',
  'butler_secrets',
  'contact_labels',
  'contacts_source_links',
  'contacts_sync_failures',
  'contacts_sync_seen',
  'contacts_sync_state',
  'important_dates',
  'labels',
];

for (const driver of testDrivers()) {
  describe(`migrate [${driver}]`, () => {
    it('creates shared and butler tables, and a second run changes nothing', async () => {
      const t = await createTestDatabase(driver, { migrate: false });
      try {
        const first = await migrate(t.db);
        expect(first).toEqual({
          butlerSchema: 'relationship',
          applied: [
            'shared/0000_init',
            'shared/0001_upstream_gate',
            'butler/0000_init',
            'butler/0001_full_sync_seen',
            'butler/0002_deletion_hold',
            'butler/0003_sync_schedule',
            'butler/0004_known_groups',
          ],
        });
        const second = await migrate(t.db);
        expect(second.applied).toEqual([]);
        const shared = await queryRows<{ table_name: string }>(t.db, tablesIn('shared'));
        expect(shared.map((r) => r.table_name)).toEqual([
          'contact_info',
          'contacts',
          'contacts_schema_migrations',
          'upstream_pauses',
          'upstream_slots',
        ]);
        const butler = await queryRows<{ table_name: string }>(t.db, tablesIn('relationship'));
        expect(butler.map((r) => r.table_name)).toEqual(BUTLER_TABLES);
      } finally {
        await t.close();
      }
    });

    it('puts two butler schemas in one database around one shared schema', async () => {
      const t = await createTestDatabase(driver, { migrate: false });
      try {
        await migrate(t.db, { butlerSchema: 'alpha' });
        const beta = await migrate(t.db, { butlerSchema: 'beta' });
        expect(beta.applied).toEqual([
          'butler/0000_init',
          'butler/0001_full_sync_seen',
          'butler/0002_deletion_hold',
          'butler/0003_sync_schedule',
          'butler/0004_known_groups',
        ]);
        expect((await migrate(t.db, { butlerSchema: 'alpha' })).applied).toEqual([]);
        for (const schema of ['alpha', 'beta']) {
          const rows = await queryRows<{ table_name: string }>(t.db, tablesIn(schema));
          expect(rows.map((r) => r.table_name)).toEqual(BUTLER_TABLES);
        }
        // Both butlers' rows point at the one shared.contacts.
        const [ada] = await queryRows<{ id: string }>(
          t.db,
          sql`insert into shared.contacts (name) values ('Ada') returning id`,
        );
        await t.db.execute(sql`insert into alpha.addresses (contact_id, line_1) values (${ada?.id}, 'a')`);
        await t.db.execute(sql`insert into beta.addresses (contact_id, line_1) values (${ada?.id}, 'b')`);
        await t.db.execute(sql`delete from shared.contacts`);
        const left = await queryRows<{ n: number }>(
          t.db,
          sql`select (select count(*) from alpha.addresses) + (select count(*) from beta.addresses) as n`,
        );
        expect(Number(left[0]?.n)).toBe(0);
      } finally {
        await t.close();
      }
    });

    it('brings a schema made by an older release up to date with only the newer migrations', async () => {
      const t = await createTestDatabase(driver, { migrate: false });
      try {
        await migrate(t.db);
        // The state an install from before 0001 is in: 0000 applied, 0001 not.
        await t.db.execute(sql.raw('drop table relationship.contacts_sync_seen'));
        await t.db.execute(
          sql.raw('alter table relationship.contacts_sync_state drop column last_error_code'),
        );
        await t.db.execute(
          sql.raw("delete from shared.contacts_schema_migrations where tag = '0001_full_sync_seen'"),
        );
        expect((await migrate(t.db)).applied).toEqual(['butler/0001_full_sync_seen']);
        const rows = await queryRows<{ table_name: string }>(t.db, tablesIn('relationship'));
        expect(rows.map((r) => r.table_name)).toEqual(BUTLER_TABLES);
      } finally {
        await t.close();
      }
    });

    it('relies on neither public nor the search_path', async () => {
      const t = await createTestDatabase(driver, { migrate: false });
      try {
        await t.db.execute(sql.raw('drop schema if exists public cascade'));
        await t.db.transaction(async (tx) => {
          await tx.execute(sql.raw("set local search_path to ''"));
          await migrate(tx, { butlerSchema: 'nowhere_special' });
        });
        const rows = await queryRows<{ table_name: string }>(t.db, tablesIn('nowhere_special'));
        expect(rows).toHaveLength(BUTLER_TABLES.length);
      } finally {
        await t.close();
      }
    });

    it('keeps its own journal, apart from a host drizzle journal', async () => {
      const t = await createTestDatabase(driver, { migrate: false });
      try {
        await t.db.execute(sql.raw('create schema drizzle'));
        await t.db.execute(sql.raw('create table drizzle.__drizzle_migrations (id serial)'));
        await migrate(t.db);
        const host = await queryRows<{ n: number }>(
          t.db,
          sql`select count(*) as n from drizzle.__drizzle_migrations`,
        );
        expect(Number(host[0]?.n)).toBe(0);
        const ours = await queryRows<{ scope: string }>(
          t.db,
          sql`select scope from shared.contacts_schema_migrations order by scope`,
        );
        expect(ours.map((r) => r.scope)).toEqual([
          'relationship',
          'relationship',
          'relationship',
          'relationship',
          'relationship',
          'shared',
          'shared',
        ]);
      } finally {
        await t.close();
      }
    });

    it('refuses to run over an applied migration whose SQL changed since', async () => {
      const t = await createTestDatabase(driver, { migrate: false });
      try {
        await migrate(t.db);
        await t.db.execute(
          sql`update shared.contacts_schema_migrations set hash = 'edited' where scope = 'shared'`,
        );
        await expect(migrate(t.db)).rejects.toMatchObject({ code: 'MIGRATION_CHANGED' });
        await expect(migrate(t.db)).rejects.toThrowError('shared/0000_init');
      } finally {
        await t.close();
      }
    });

    it('refuses "public" before any SQL runs (issue 11: it migrated, then drizzle refused every query)', async () => {
      const t = await createTestDatabase(driver, { migrate: false });
      try {
        t.statements.reset();
        await expect(migrate(t.db, { butlerSchema: 'public' })).rejects.toMatchObject({
          code: 'INVALID_SCHEMA_NAME',
          message: expect.stringMatching(/"public" is the database's default schema/),
        });
        expect(t.statements.count).toBe(0);
        expect(await queryRows(t.db, tablesIn('public'))).toEqual([]);
      } finally {
        await t.close();
      }
    });

    it('refuses an invalid schema name before any SQL runs', async () => {
      const t = await createTestDatabase(driver, { migrate: false });
      try {
        t.statements.reset();
        await expect(migrate(t.db, { butlerSchema: 'x"; drop schema shared; --' })).rejects.toThrowError(
          SchemaError,
        );
        expect(t.statements.count).toBe(0);
      } finally {
        await t.close();
      }
    });
  });
}
