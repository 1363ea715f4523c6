// Reads vitest's JSON reports, one per run (`pnpm test`, then `pnpm test:heavy`): prints one plain
// line per run and a closing line, and fails when, in any run, a test that ran on PGlite did not
// pass on PostgreSQL although CONTACTS_TEST_DATABASE_URL was set (a silently skipped half is a
// failure), when no database test ran at all, or when the CardDAV tests on Radicale or Xandikos
// or the browser test on Chromium, were skipped in every run (they may live in either run, so those
// checks are on the runs together).
//   node .ci/summarize-tests.mjs fast.json heavy.json
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node .ci/summarize-tests.mjs <vitest-report.json>...');
  process.exit(2);
}
// Suites that are PGlite-only by design (property tests: many fresh databases, PGlite is enough).
const PGLITE_ONLY = [/^ContactBackfillEngine properties \[pglite\]/];
let problems = 0;
const all = [];
for (const file of files) {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  const tests = report.testResults.flatMap((result) => result.assertionResults);
  all.push(...tests);
  const count = (pred) => tests.filter(pred).length;
  const onPostgres = count((t) => t.status === 'passed' && t.fullName.includes('[postgres]'));
  const onPglite = count((t) => t.status === 'passed' && t.fullName.includes('[pglite]'));
  console.log(`${basename(file)}: database tests: ${onPglite} on PGlite, ${onPostgres} on PostgreSQL`);
  if (!process.env.CONTACTS_TEST_DATABASE_URL) continue;
  // Every test that ran on PGlite must have run, and passed, on PostgreSQL too: a half skipped
  // in part is as wrong as one skipped whole.
  const passedOnPostgres = new Set(
    tests.filter((t) => t.status === 'passed' && t.fullName.includes('[postgres]')).map((t) => t.fullName),
  );
  const missing = tests
    .filter((t) => t.fullName.includes('[pglite]') && !PGLITE_ONLY.some((re) => re.test(t.fullName)))
    .map((t) => t.fullName.replace('[pglite]', '[postgres]'))
    .filter((name) => !passedOnPostgres.has(name));
  if ((onPglite > 0 && onPostgres === 0) || missing.length > 0) {
    console.error(
      `${basename(file)}: CONTACTS_TEST_DATABASE_URL is set but these tests did not pass on PostgreSQL:`,
    );
    for (const name of missing.slice(0, 20)) console.error(`  ${name}`);
    if (onPostgres === 0) console.error('  (no test ran on PostgreSQL at all)');
    problems += 1;
  }
}
const count = (pred) => all.filter(pred).length;
if (
  process.env.CONTACTS_TEST_DATABASE_URL &&
  count((t) => t.status === 'passed' && t.fullName.includes('[postgres]')) === 0
) {
  console.error('CONTACTS_TEST_DATABASE_URL is set but no test ran on PostgreSQL at all.');
  problems += 1;
}
// The CardDAV conformance tests run on real servers that .ci/run installs: a test tagged with a
// server that did not pass (skipped because the binary is missing, or never collected) fails CI,
// as a PostgreSQL half that did not run does.
for (const server of ['radicale', 'xandikos']) {
  const tag = `[${server}]`;
  const tagged = all.filter((t) => t.fullName.includes(tag));
  const notRun = tagged.filter((t) => t.status !== 'passed' && t.status !== 'failed');
  const ran = tagged.filter((t) => t.status === 'passed').length;
  console.log(`CardDAV tests on ${server}: ${ran} passed, ${notRun.length} skipped`);
  if (ran === 0 || notRun.length > 0) {
    console.error(
      `The CardDAV tests on ${server} did not run: install it with \`apt-get install -y ${server}\`.`,
    );
    for (const t of notRun.slice(0, 5)) console.error(`  ${t.fullName}`);
    problems += 1;
  }
}
// The `contacts auth` end-to-end test needs Debian's chromium, which .ci/run installs: skipped
// (the binary missing) or never collected, it fails CI as a skipped CardDAV server does.
{
  const tagged = all.filter((t) => t.fullName.includes('[chromium]'));
  const ran = tagged.filter((t) => t.status === 'passed').length;
  console.log(`browser tests on chromium: ${ran} passed, ${tagged.length - ran} not passed`);
  if (ran === 0 || tagged.some((t) => t.status !== 'passed' && t.status !== 'failed')) {
    console.error(
      'The browser test of `contacts auth` did not run: install chromium with `apt-get install -y chromium`.',
    );
    problems += 1;
  }
}
if (count((t) => t.status === 'passed' && t.fullName.includes('[pglite]')) === 0) {
  console.error('No database test ran on PGlite.');
  problems += 1;
}
const passed = count((t) => t.status === 'passed');
const failed = count((t) => t.status === 'failed');
const skipped = count((t) => t.status !== 'passed' && t.status !== 'failed');
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || problems > 0 ? 1 : 0);
