// A host project as docs/host-integration.md describes one, built against the PACKED packages
// (installed with npm from their tarballs, next to the host's own drizzle-orm, postgres, PGlite
// and MCP SDK, at other versions than the workspace's). .ci/consumer-install.sh typechecks it
// (skipLibCheck: false), runs it, and fails on any error or a sync that wrote no contact.
import { randomBytes } from 'node:crypto';
import {
  type ContactsConfigInput,
  type ContactsDatabase,
  ContactsModule,
  ContactsModuleError,
  DbCredentialStore,
  type LogFields,
  type Logger,
  SecretsKey,
} from '@contacts/butler-module';
import { type GoogleEmulator, startGoogleEmulator } from '@contacts/google-emulator';
import { PGlite } from '@electric-sql/pglite';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';

const PEOPLE = 150;
const butlerSchema = 'relationship';

/** The host's logger: warnings and errors kept to print when the run fails. */
const logged: string[] = [];
const logger: Logger = {
  debug() {},
  info() {},
  warn: (message: string, fields?: LogFields) =>
    logged.push(`warn ${message} ${JSON.stringify(fields ?? {})}`),
  error: (message: string, fields?: LogFields) =>
    logged.push(`error ${message} ${JSON.stringify(fields ?? {})}`),
};

function check(condition: boolean, what: string): asserts condition {
  if (!condition) throw new Error(`consumer host: ${what}`);
}

interface OpenedDatabase {
  db: ContactsDatabase;
  close(): Promise<void>;
}

async function openPglite(): Promise<OpenedDatabase> {
  const client = await PGlite.create();
  // The host's drizzle database, of the host's drizzle version, passed as the module's type.
  const db: ContactsDatabase = drizzlePglite(client);
  return { db, close: () => client.close() };
}

/** A fresh database on the PostgreSQL at `url`, dropped on close. */
async function openPostgres(url: string): Promise<OpenedDatabase> {
  const name = `contacts_consumer_${process.pid}_${Date.now()}`;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const target = new URL(url);
  target.pathname = `/${name}`;
  const client = postgres(target.toString(), { onnotice: () => {} });
  const db: ContactsDatabase = drizzlePostgres(client);
  return {
    db,
    close: async () => {
      await client.end();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

async function countRows(db: ContactsDatabase, table: string): Promise<number> {
  const result: unknown = await db.execute(sql.raw(`select count(*)::int as n from ${table}`));
  const rows = Array.isArray(result) ? result : (result as { rows: unknown[] }).rows;
  return (rows[0] as { n: number }).n;
}

/** Migrate, store the credentials, start, serve the tools, sync through `contacts_sync_now`, stop. */
async function runHost(label: string, database: OpenedDatabase, emulator: GoogleEmulator): Promise<void> {
  const { db } = database;
  const contacts = new ContactsModule();
  await contacts.migrate(db, { butlerSchema });

  const secretsKey = SecretsKey.parse(randomBytes(32).toString('base64'));
  const credentialStore = new DbCredentialStore({ db, butlerSchema, secretsKey });
  const { clientId, clientSecret, refreshToken } = emulator.credentials;
  // What the dashboard's OAuth flow (or `contacts secrets set`) stores.
  await credentialStore.set('GOOGLE_OAUTH_CLIENT_ID', clientId);
  await credentialStore.set('GOOGLE_OAUTH_CLIENT_SECRET', clientSecret);
  await credentialStore.set('GOOGLE_REFRESH_TOKEN', refreshToken);

  // The host's own MCP server (the host's SDK version) with a tool of its own beside the module's.
  const server = new McpServer({ name: 'consumer-host', version: '1.0.0' });
  server.registerTool('host_ping', { description: 'Answers pong.' }, async () => ({
    content: [{ type: 'text', text: 'pong' }],
  }));
  contacts.registerTools(server);

  const config: ContactsConfigInput = { provider: 'google', sync: { run_on_startup: false } };
  await contacts.onStartup({
    config,
    db,
    butlerSchema,
    credentialStore,
    logger,
    googleRootUrl: emulator.url,
    googleTokenUrl: emulator.tokenUrl,
  });

  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'consumer-ci', version: '1.0.0' });
  await client.connect(clientSide);
  try {
    const tools = (await client.listTools()).tools.map((tool) => tool.name).sort();
    for (const name of [
      'contacts_source_list',
      'contacts_source_reconcile',
      'contacts_sync_now',
      'contacts_sync_status',
      'host_ping',
    ]) {
      check(tools.includes(name), `${label}: tool ${name} missing from ${tools.join(', ')}`);
    }
    const sync = await client.callTool({ name: 'contacts_sync_now', arguments: { mode: 'full' } });
    check(!sync.isError, `${label}: contacts_sync_now failed: ${JSON.stringify(sync.content)}`);
    const summary = (
      sync.structuredContent as { summary: { fetched: number; created: number; failed: number } }
    ).summary;
    check(summary.fetched >= PEOPLE, `${label}: fetched ${summary.fetched}, expected at least ${PEOPLE}`);
    check(summary.created > 0, `${label}: the sync created no contact`);
    const written = await countRows(db, 'shared.contacts');
    check(
      written === summary.created,
      `${label}: shared.contacts holds ${written} rows, the sync reported ${summary.created} created`,
    );
    const status = await client.callTool({ name: 'contacts_sync_status', arguments: {} });
    check(!status.isError, `${label}: contacts_sync_status failed: ${JSON.stringify(status.content)}`);
    const report = status.structuredContent as { last_error: unknown; last_success_at: string | null };
    check(
      report.last_error === null && report.last_success_at !== null,
      `${label}: status after the sync: ${JSON.stringify(report)}`,
    );
    process.stdout.write(
      `consumer host (${label}): fetched ${summary.fetched}, created ${summary.created}, failed ${summary.failed}; shared.contacts holds ${written}\n`,
    );
  } finally {
    await contacts.onShutdown();
    await client.close();
    await server.close();
  }
}

const emulator = await startGoogleEmulator({ seed: 14, people: PEOPLE });
try {
  const pglite = await openPglite();
  try {
    await runHost('PGlite', pglite, emulator);
  } finally {
    await pglite.close();
  }
  const url = process.env.CONTACTS_TEST_DATABASE_URL;
  if (url) {
    const server = await openPostgres(url);
    try {
      await runHost('PostgreSQL', server, emulator);
    } finally {
      await server.close();
    }
  }
} catch (error) {
  const code = error instanceof ContactsModuleError ? ` [${error.code}]` : '';
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}${code}\n`);
  if (logged.length > 0) process.stderr.write(`host log:\n${logged.join('\n')}\n`);
  process.exitCode = 1;
} finally {
  await emulator.close();
}
