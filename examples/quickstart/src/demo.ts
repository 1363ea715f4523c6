import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ContactsModule, DbCredentialStore, GOOGLE_CREDENTIAL_KEYS } from '@contacts/butler-module';
import { openDatabase } from '@contacts/butler-module/cli';
import type { Logger } from '@contacts/core';
import { type GoogleEmulator, isEmulatorClientId, startGoogleEmulator } from '@contacts/google-emulator';
import { butlerTables, type ContactsDatabase, contacts, migrate, queryRows } from '@contacts/schema';
import { PGlite } from '@electric-sql/pglite';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { eq, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/pglite';

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Where the story is told (default stdout). */
  write?: (line: string) => void;
  /** People in the generated address book (default 500). */
  people?: number;
  /**
   * A data directory holding real Google credentials (set with `contacts secrets set`): when it
   * has all three, the demo syncs that account instead of the emulator, and changes nothing there.
   */
  dataDir?: string;
  /** Where "real" Google is (default Google's own endpoints); tests point it at an emulator. */
  google?: { rootUrl: string; tokenUrl: string };
}

const BUTLER_SCHEMA = 'relationship';
const quietLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * The quickstart: starts the Google emulator with a generated address book, stores its
 * credentials in the credential store of an embedded PGlite database, runs the contacts module
 * and drives it through its MCP tools as a host's assistant would: a full sync; then an edit, a
 * deletion and a new person in the address book and a hand edit in the CRM; an incremental sync;
 * and what happened: counts, the conflict kept for the hand edit, the tombstone, the activity feed.
 *
 * @example
 * ```ts
 * const { secrets } = await runDemo({ people: 200, write: (line) => lines.push(line) });
 * ```
 */
export async function runDemo(options: DemoOptions = {}): Promise<{ secrets: string[] }> {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const { db, close, realDir, refused } = await openDemoDatabase(options.dataDir);
  const real = realDir !== undefined;
  if (refused) write(refused);
  const module = new ContactsModule();
  await module.migrate(db, { butlerSchema: BUTLER_SCHEMA });
  const store = new DbCredentialStore({ db, butlerSchema: BUTLER_SCHEMA });
  let emulator: GoogleEmulator | undefined;
  const secrets: string[] = [];
  try {
    if (real) {
      write(`Using the Google credentials stored in ${realDir}: syncing your real account (read-only).`);
    } else {
      emulator = await startGoogleEmulator({ seed: 42, people: options.people ?? 500, otherContacts: 0 });
      write(`Google emulator on ${emulator.url} with ${emulator.admin.people().length} people.`);
      await store.set('GOOGLE_OAUTH_CLIENT_ID', emulator.credentials.clientId, { category: 'google' });
      await store.set('GOOGLE_OAUTH_CLIENT_SECRET', emulator.credentials.clientSecret, {
        category: 'google',
      });
      await store.set('GOOGLE_REFRESH_TOKEN', emulator.credentials.refreshToken, { category: 'google' });
      secrets.push(emulator.credentials.clientSecret, emulator.credentials.refreshToken);
      write('Stored the emulator credentials in butler_secrets (the module reads them from there only).');
    }

    await module.onStartup({
      config: { provider: 'google', sync: { run_on_startup: false } },
      db,
      butlerSchema: BUTLER_SCHEMA,
      credentialStore: store,
      logger: quietLogger,
      googleRootUrl: emulator?.url ?? options.google?.rootUrl,
      googleTokenUrl: emulator?.tokenUrl ?? options.google?.tokenUrl,
    });
    const server = new McpServer({ name: 'quickstart-host', version: '0.0.0' });
    module.registerTools(server);
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    const client = new Client({ name: 'quickstart', version: '0.0.0' });
    await client.connect(clientSide);
    const call = async (name: string, args: Record<string, unknown> = {}) => {
      const result = await client.callTool({ name, arguments: args });
      if (result.isError) throw new Error(`${name} failed: ${JSON.stringify(result.content)}`);
      return result.structuredContent as Record<string, unknown>;
    };

    write('');
    write('1. Full sync (contacts_sync_now mode=full)');
    const full = await call('contacts_sync_now', { mode: 'full' });
    write(`   ${formatSummary(full)}`);
    if (!emulator) {
      write('');
      write(`Status: ${JSON.stringify(await call('contacts_sync_status'))}`);
      await client.close();
      return { secrets };
    }

    write('');
    write('2. Changes on both sides');
    const people = emulator.admin.people();
    const edited = people.find((p) => p.organizations?.length && p.names?.length)!;
    const removed = people.find((p) => p !== edited && p.names?.length && p.emailAddresses?.length)!;
    const [link] = await db
      .select()
      .from(butlerTables(BUTLER_SCHEMA).contactsSourceLinks)
      .where(eq(butlerTables(BUTLER_SCHEMA).contactsSourceLinks.externalContactId, edited.resourceName));
    const crmId = link!.localContactId!;
    await db.update(contacts).set({ jobTitle: 'Chief Tea Officer' }).where(eq(contacts.id, crmId));
    write(`   In the CRM, by hand: job title of ${displayName(edited)} set to "Chief Tea Officer".`);
    emulator.admin.updatePerson(edited.resourceName, {
      organizations: [
        { ...edited.organizations![0], title: 'Head of Research', metadata: { primary: true } },
      ],
      nicknames: [{ value: 'Doc', metadata: { primary: true } }],
    });
    write(`   In Google: ${displayName(edited)} gets job title "Head of Research" and nickname "Doc".`);
    emulator.admin.deletePerson(removed.resourceName);
    write(`   In Google: ${displayName(removed)} is deleted.`);
    const added = emulator.admin.addPerson({
      names: [
        {
          givenName: 'Ada',
          familyName: 'Lovelace',
          displayName: 'Ada Lovelace',
          metadata: { primary: true },
        },
      ],
      emailAddresses: [{ value: 'ada@analytical.example', type: 'work', metadata: { primary: true } }],
    });
    write(`   In Google: ${displayName(added)} is added.`);

    write('');
    write('3. Incremental sync (contacts_sync_now mode=incremental)');
    const incremental = await call('contacts_sync_now', { mode: 'incremental' });
    write(`   ${formatSummary(incremental)}`);

    write('');
    write('4. What happened');
    const [row] = await db.select().from(contacts).where(eq(contacts.id, crmId));
    write(
      `   Hand edit kept: ${row!.name}'s job title is "${row!.jobTitle}"; the nickname "${row!.nickname}" came from Google.`,
    );
    const tombstone = await queryRows<{ deleted_at: unknown; still_here: boolean }>(
      db,
      sql`select l.deleted_at, exists(select 1 from shared.contacts c where c.id = l.local_contact_id) as still_here
        from ${sql.identifier(BUTLER_SCHEMA)}.contacts_source_links l where l.external_contact_id = ${removed.resourceName}`,
    );
    write(
      `   Tombstone: the link of ${displayName(removed)} is marked deleted (${tombstone[0]?.deleted_at ? 'deleted_at set' : 'not set'}); the CRM contact is ${tombstone[0]?.still_here ? 'kept' : 'gone'}.`,
    );
    const feed = await queryRows<{ type: string; description: string }>(
      db,
      sql`select type, description from ${sql.identifier(BUTLER_SCHEMA)}.activity_feed
        where type <> 'contact_synced' or description like '%Ada Lovelace%'
        order by created_at desc, type limit 8`,
    );
    write('   Activity feed (latest):');
    for (const entry of feed) write(`   - [${entry.type}] ${entry.description}`);
    const status = await call('contacts_sync_status');
    write('');
    write(
      `5. Status: ${status.contact_count} contacts linked, cursor present: ${status.cursor_present}, last error: ${status.last_error ?? 'none'}, failed contacts: ${status.failed_contacts}.`,
    );
    write(`   HTTP requests served by the emulator: ${emulator.admin.requestCount()}.`);
    await client.close();
    return { secrets };
  } finally {
    await module.onShutdown();
    await emulator?.close();
    await close();
  }
}

/**
 * The sentence the demo says when `dataDir` holds the emulator's credentials: it does not take
 * them for a real account (Google would refuse them), and tells how to clear them.
 *
 * @example
 * ```ts
 * emulatorCredentialsRefusal('/home/me/.contacts'); // "/home/me/.contacts holds the Google emulator's ..."
 * ```
 */
export function emulatorCredentialsRefusal(dataDir: string): string {
  return [
    `${dataDir} holds the Google emulator's credentials, not a real account's: the demo does not sync them as your account and runs against its own emulator instead.`,
    `To clear them: \`pnpm contacts --data-dir ${dataDir} secrets delete GOOGLE_OAUTH_CLIENT_ID\` (and GOOGLE_OAUTH_CLIENT_SECRET, GOOGLE_REFRESH_TOKEN); the emulator walk-through keeps its own data directory (\`pnpm emulator --data-dir ./.contacts-emulator\`).`,
  ].join('\n');
}

/**
 * The `contacts` command's database in `dataDir` (taking its lock) when it holds all three Google
 * credentials of a real account: the demo then syncs that account. Otherwise an in-memory database,
 * so the demo never writes its emulator's credentials or people into a store a person uses; the
 * emulator's own credentials found there are refused with a sentence ({@link emulatorCredentialsRefusal}).
 */
async function openDemoDatabase(
  dataDir: string | undefined,
): Promise<{ db: ContactsDatabase; close: () => Promise<void>; realDir?: string; refused?: string }> {
  let refused: string | undefined;
  if (dataDir && existsSync(join(dataDir, 'pgdata'))) {
    const opened = await openDatabase({ kind: 'pglite', dataDir });
    try {
      await migrate(opened.db, { butlerSchema: BUTLER_SCHEMA });
      const store = new DbCredentialStore({ db: opened.db, butlerSchema: BUTLER_SCHEMA });
      let complete = true;
      for (const key of GOOGLE_CREDENTIAL_KEYS) if (!(await store.get(key))) complete = false;
      const clientId = await store.get('GOOGLE_OAUTH_CLIENT_ID');
      if (clientId !== null && isEmulatorClientId(clientId)) refused = emulatorCredentialsRefusal(dataDir);
      else if (complete) return { ...opened, realDir: dataDir };
    } catch (error) {
      await opened.close();
      throw error;
    }
    await opened.close();
  }
  const pg = await PGlite.create();
  return { db: drizzle(pg) as ContactsDatabase, close: () => pg.close(), refused };
}

function displayName(person: {
  names?: { displayName?: string | null }[] | null;
  resourceName: string;
}): string {
  return person.names?.[0]?.displayName ?? person.resourceName;
}

function formatSummary(result: Record<string, unknown>): string {
  const s = result.summary as Record<string, number>;
  return `${result.mode}: fetched ${s.fetched}, created ${s.created}, updated ${s.updated}, skipped ${s.skipped}, unchanged ${s.unchanged}, deleted ${s.deleted}, conflicts ${s.conflicts}, failed ${s.failed}, applied ${s.applied} (${result.duration_ms} ms)`;
}
