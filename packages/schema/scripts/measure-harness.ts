/**
 * What a fresh test database costs in the harness: creating one (from the cached migrated
 * template), emptying it between tests, closing it. On PGlite, and on PostgreSQL when
 * CONTACTS_TEST_DATABASE_URL is set.  Usage: pnpm --filter @contacts/schema measure:harness
 */
import { createTestDatabase, testDrivers } from '../src/testing/drivers.js';

for (const driver of testDrivers()) {
  const ms = (start: number) => (performance.now() - start).toFixed(0);
  let start = performance.now();
  const first = await createTestDatabase(driver);
  const firstMs = ms(start);
  await first.close();
  start = performance.now();
  const t = await createTestDatabase(driver);
  const createMs = ms(start);
  start = performance.now();
  for (let i = 0; i < 20; i += 1) await t.reset();
  const resetMs = ((performance.now() - start) / 20).toFixed(1);
  start = performance.now();
  await t.close();
  console.log(
    `${driver}: first database of a process ${firstMs} ms, next ${createMs} ms, reset between tests ${resetMs} ms, close ${ms(start)} ms`,
  );
}
