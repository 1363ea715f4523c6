#!/usr/bin/env node
// Fails when the Drizzle tables and the committed migrations disagree: drizzle-kit generates
// into a scratch copy of each migration folder, and any new file there is drift.
// Env: CONTACTS_MIGRATIONS_SCHEMA_SHARED / _BUTLER point a set at another schema file (tests use it).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('../../../', import.meta.url).pathname;
let drift = false;
for (const target of ['shared', 'butler']) {
  const committed = join(root, 'packages/schema/drizzle', target);
  // drizzle-kit reads `out` relative to the working directory, even when it is absolute.
  const cache = join(root, 'node_modules/.cache');
  mkdirSync(cache, { recursive: true });
  const scratch = mkdtempSync(join(cache, `contacts-db-check-${target}-`));
  try {
    cpSync(committed, scratch, { recursive: true });
    const before = new Set(readdirSync(scratch));
    const override = process.env[`CONTACTS_MIGRATIONS_SCHEMA_${target.toUpperCase()}`];
    const run = spawnSync('pnpm', ['exec', 'drizzle-kit', 'generate', '--name', 'drift'], {
      cwd: root,
      encoding: 'utf8',
      env: {
        ...process.env,
        CONTACTS_MIGRATIONS_TARGET: target,
        CONTACTS_MIGRATIONS_OUT: `./${relative(root, scratch)}`,
        ...(override ? { CONTACTS_MIGRATIONS_SCHEMA: override } : {}),
      },
    });
    // drizzle-kit exits 0 on some failures: read its error output as well.
    if (run.status !== 0 || /\bError\b/.test(run.stderr)) {
      process.stderr.write(run.stdout + run.stderr);
      console.error(`db:check: drizzle-kit failed for the ${target} migrations.`);
      process.exit(2);
    }
    const added = readdirSync(scratch).filter((f) => !before.has(f));
    if (added.length > 0) {
      drift = true;
      console.error(
        `db:check: the ${target} tables differ from packages/schema/drizzle/${target}: run \`pnpm db:generate --name <change>\` and commit the migration.`,
      );
    } else {
      console.log(`db:check: ${target} migrations match the Drizzle tables.`);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
process.exit(drift ? 1 : 0);
