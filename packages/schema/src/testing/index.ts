export { type DatabaseFixture, describeDatabase } from './describe-database.js';
export {
  type CreateTestDatabaseOptions,
  createTestDatabase,
  StatementCounter,
  TEST_DATABASE_URL_ENV,
  type TestDatabase,
  type TestDriver,
  testDrivers,
} from './drivers.js';
