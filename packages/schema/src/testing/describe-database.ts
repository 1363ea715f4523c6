import { afterAll, beforeAll, beforeEach, describe } from 'vitest';
import type { ContactsDatabase } from '../database.js';
import {
  type CreateTestDatabaseOptions,
  createTestDatabase,
  type StatementCounter,
  type TestDatabase,
  type TestDriver,
  testDrivers,
} from './drivers.js';

/**
 * What a test body sees: getters valid inside `it`, `beforeEach` and `afterEach`.
 *
 * @example
 * ```ts
 * describeDatabase('contacts', (t: DatabaseFixture) => {
 *   it('counts statements', async () => {
 *     await t.db.select().from(contacts);
 *     expect(t.statements.count).toBe(1);
 *   });
 * });
 * ```
 */
export interface DatabaseFixture {
  readonly driver: TestDriver;
  readonly db: ContactsDatabase;
  readonly butlerSchema: string;
  readonly statements: StatementCounter;
  /** The underlying test database (for `url` on PostgreSQL). */
  readonly database: TestDatabase;
}

/**
 * One test body, two drivers: runs `body` once on PGlite and, when `CONTACTS_TEST_DATABASE_URL`
 * is set, once more on PostgreSQL. Each run gets its own migrated database, emptied before every
 * test, so each test starts from a clean, migrated schema.
 *
 * @example
 * ```ts
 * describeDatabase('contacts', (t) => {
 *   it('inserts', async () => {
 *     await t.db.insert(contacts).values({ name: 'Ada' });
 *   });
 * });
 * ```
 */
export function describeDatabase(
  title: string,
  body: (fixture: DatabaseFixture) => void,
  options: CreateTestDatabaseOptions = {},
): void {
  for (const driver of testDrivers()) {
    describe(`${title} [${driver}]`, () => {
      let current: TestDatabase | undefined;
      const get = (): TestDatabase => {
        if (!current) throw new Error('The test database is only available inside tests and hooks.');
        return current;
      };
      beforeAll(async () => {
        current = await createTestDatabase(driver, options);
      });
      beforeEach(async () => {
        await get().reset();
        get().statements.reset();
      });
      afterAll(async () => {
        await current?.close();
        current = undefined;
      });
      body({
        driver,
        get db() {
          return get().db;
        },
        get butlerSchema() {
          return get().butlerSchema;
        },
        get statements() {
          return get().statements;
        },
        get database() {
          return get();
        },
      });
    });
  }
}
