import { readFileSync } from 'node:fs';
import type { ContactsDatabase, Logger } from '@contacts/butler-module';
import { PGlite } from '@electric-sql/pglite';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { startHost } from './host.js';

// Usage: pnpm --filter @contacts/example-host start [butler.toml]
// Database: DATABASE_URL (PostgreSQL) or an embedded PGlite database in ./.butler-host.
// Store the Google credentials first, e.g. with `contacts secrets set` on the same database.
// CONTACTS_SECRETS_KEY_FILE names the file holding the key the secrets are encrypted with (the
// `contacts` command reads the same variable).
// stdout carries MCP only: logs go to stderr.
const logger: Logger = {
  debug() {},
  info: (message, fields) =>
    process.stderr.write(`${JSON.stringify({ level: 'info', message, ...fields })}\n`),
  warn: (message, fields) =>
    process.stderr.write(`${JSON.stringify({ level: 'warn', message, ...fields })}\n`),
  error: (message, fields) =>
    process.stderr.write(`${JSON.stringify({ level: 'error', message, ...fields })}\n`),
};
const tomlPath = process.argv[2] ?? 'butler.toml';
const butlerToml = readFileSync(tomlPath, 'utf8');
const url = process.env.DATABASE_URL;
const db: ContactsDatabase = url
  ? drizzlePostgres(postgres(url))
  : drizzlePglite(await PGlite.create({ dataDir: '.butler-host' }));
const keyFile = process.env.CONTACTS_SECRETS_KEY_FILE;
const secretsKey = keyFile ? readFileSync(keyFile, 'utf8') : undefined;
const host = await startHost({ butlerToml, db, logger, secretsKey }).catch((error: unknown) => {
  // Startup errors are sentences meant for a person (a missing credential, a bad config key).
  process.stderr.write(`butler host: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
});
await host.server.connect(new StdioServerTransport());
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    host.stop().then(() => process.exit(0));
  });
}
