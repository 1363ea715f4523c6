// Reads vitest's JSON report: prints one plain closing line, and fails when no test ran on
// PostgreSQL although CONTACTS_TEST_DATABASE_URL was set (a silently skipped half is a failure),
// or when the CardDAV tests on Radicale or Xandikos, or the browser test on Chromium, were skipped.
import { readFileSync } from 'node:fs';

const report = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const tests = report.testResults.flatMap((file) => file.assertionResults);
const count = (pred) => tests.filter(pred).length;
const passed = count((t) => t.status === 'passed');
const failed = count((t) => t.status === 'failed');
const skipped = count((t) => t.status !== 'passed' && t.status !== 'failed');
const onPostgres = count((t) => t.status === 'passed' && t.fullName.includes('[postgres]'));
const onPglite = count((t) => t.status === 'passed' && t.fullName.includes('[pglite]'));
console.log(`database tests: ${onPglite} on PGlite, ${onPostgres} on PostgreSQL`);
// Suites that are PGlite-only by design (property tests: many fresh databases, PGlite is enough).
const PGLITE_ONLY = [/^ContactBackfillEngine properties \[pglite\]/];
if (process.env.CONTACTS_TEST_DATABASE_URL) {
  // Every test that ran on PGlite must have run, and passed, on PostgreSQL too: a half skipped
  // in part is as wrong as one skipped whole.
  const passedOnPostgres = new Set(
    tests.filter((t) => t.status === 'passed' && t.fullName.includes('[postgres]')).map((t) => t.fullName),
  );
  const missing = tests
    .filter((t) => t.fullName.includes('[pglite]') && !PGLITE_ONLY.some((re) => re.test(t.fullName)))
    .map((t) => t.fullName.replace('[pglite]', '[postgres]'))
    .filter((name) => !passedOnPostgres.has(name));
  if (onPostgres === 0 || missing.length > 0) {
    console.error('CONTACTS_TEST_DATABASE_URL is set but these tests did not pass on PostgreSQL:');
    for (const name of missing.slice(0, 20)) console.error(`  ${name}`);
    if (onPostgres === 0) console.error('  (no test ran on PostgreSQL at all)');
    process.exit(1);
  }
}
// The CardDAV conformance tests run on real servers that .ci/run installs: a test tagged with a
// server that did not pass (skipped because the binary is missing, or never collected) fails CI,
// as a PostgreSQL half that did not run does.
for (const server of ['radicale', 'xandikos']) {
  const tag = `[${server}]`;
  const tagged = tests.filter((t) => t.fullName.includes(tag));
  const notRun = tagged.filter((t) => t.status !== 'passed' && t.status !== 'failed');
  const ran = tagged.filter((t) => t.status === 'passed').length;
  console.log(`CardDAV tests on ${server}: ${ran} passed, ${notRun.length} skipped`);
  if (ran === 0 || notRun.length > 0) {
    console.error(
      `The CardDAV tests on ${server} did not run: install it with \`apt-get install -y ${server}\`.`,
    );
    for (const t of notRun.slice(0, 5)) console.error(`  ${t.fullName}`);
    process.exit(1);
  }
}
// The `contacts auth` end-to-end test needs Debian's chromium, which .ci/run installs: skipped
// (the binary missing) or never collected, it fails CI as a skipped CardDAV server does.
{
  const tagged = tests.filter((t) => t.fullName.includes('[chromium]'));
  const ran = tagged.filter((t) => t.status === 'passed').length;
  console.log(`browser tests on chromium: ${ran} passed, ${tagged.length - ran} not passed`);
  if (ran === 0 || tagged.some((t) => t.status !== 'passed' && t.status !== 'failed')) {
    console.error(
      'The browser test of `contacts auth` did not run: install chromium with `apt-get install -y chromium`.',
    );
    process.exit(1);
  }
}
if (onPglite === 0) {
  console.error('No database test ran on PGlite.');
  process.exit(1);
}
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
