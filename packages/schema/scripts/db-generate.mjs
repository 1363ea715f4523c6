#!/usr/bin/env node
// Generates the SQL migrations of both sets (shared, butler) from the Drizzle tables.
// Usage: pnpm db:generate [--name NAME]
import { spawnSync } from 'node:child_process';

const nameAt = process.argv.indexOf('--name');
const name = nameAt > 0 ? process.argv[nameAt + 1] : undefined;
for (const target of ['shared', 'butler']) {
  const args = ['exec', 'drizzle-kit', 'generate', ...(name ? ['--name', name] : [])];
  const run = spawnSync('pnpm', args, {
    stdio: 'inherit',
    env: { ...process.env, CONTACTS_MIGRATIONS_TARGET: target },
  });
  if (run.status !== 0) process.exit(run.status ?? 1);
}
