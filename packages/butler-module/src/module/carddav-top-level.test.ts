import { type ScriptedServer, startScriptedServer, vcard } from '@contacts/provider-carddav/testing';
import { contacts } from '@contacts/schema';
import { describeDatabase } from '@contacts/schema/testing';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DbCredentialStore } from '../credentials/db-credential-store.js';
import { ContactsModuleError } from '../errors.js';
import { CaptureLogger } from '../test-support/capture-logger.js';
import { ManualClock, ManualTimers } from '../test-support/manual-timers.js';
import { connectClient, resultText } from '../test-support/module-harness.js';
import { ContactsModule } from './contacts-module.js';

const CREDENTIALS = { username: 'ada', password: 'secret-pw' };

// Issue 13: `[modules.contacts]` with `provider = "carddav"` and the CardDAV settings at the top
// (url, books) is accepted at startup, as a [[modules.contacts.sources]] table is; the provider's
// settings schema validates them, and an unknown key is refused by name.
describeDatabase('provider = "carddav" with its settings at the top of [modules.contacts]', (t) => {
  let server: ScriptedServer;
  beforeAll(async () => {
    server = await startScriptedServer({ credentials: CREDENTIALS });
    server.book.put('ada.vcf', vcard('ada', 'Ada Lovelace'));
    server.book.put('grace.vcf', vcard('grace', 'Grace Hopper'));
  });
  afterAll(() => server.close());

  const start = async (config: Record<string, unknown>) => {
    const clock = new ManualClock();
    const store = new DbCredentialStore({ db: t.db, butlerSchema: t.butlerSchema, clock });
    await store.set('CARDDAV_USERNAME', CREDENTIALS.username);
    await store.set('CARDDAV_PASSWORD', CREDENTIALS.password);
    const module = new ContactsModule();
    const mcp = new McpServer({ name: 'test-butler', version: '0.0.0' });
    module.registerTools(mcp);
    const client = await connectClient(mcp);
    const started = module
      .onStartup({
        config,
        db: t.db,
        butlerSchema: t.butlerSchema,
        credentialStore: store,
        logger: new CaptureLogger(),
        clock,
        timers: new ManualTimers(clock),
      })
      .then(
        () => null,
        (error: unknown) => error,
      );
    return { module, client, error: await started };
  };

  it('starts, syncs the book the url names, and validates the schema the host reads', async () => {
    const config = { provider: 'carddav', url: server.url, books: ['book'], sync: { run_on_startup: false } };
    const { module, client, error } = await start(config);
    try {
      expect(error).toBeNull();
      expect(module.config).toMatchObject({ provider: 'carddav', account_id: 'default' });
      expect(module.configSchema.safeParse(config).success).toBe(true);
      const result = (await client.callTool({ name: 'contacts_sync_now', arguments: {} })) as CallToolResult;
      expect(result.isError, resultText(result)).toBeFalsy();
      expect(result.structuredContent).toMatchObject({ provider: 'carddav', summary: { created: 2 } });
      expect((await t.db.select().from(contacts)).map((c) => c.name).sort()).toEqual([
        'Ada Lovelace',
        'Grace Hopper',
      ]);
    } finally {
      await module.onShutdown();
      await client.close();
    }
  });

  it('refuses an unknown key and a bad url, naming each by its key path', async () => {
    const unknown = await start({ provider: 'carddav', url: server.url, urls: ['x'] });
    await unknown.client.close();
    expect(unknown.error).toBeInstanceOf(ContactsModuleError);
    expect(unknown.error).toMatchObject({
      code: 'INVALID_CONFIG',
      message: expect.stringContaining(
        'modules.contacts.urls is not a known key (modules.contacts takes provider, account_id, include_other_contacts, sync, sources, url, books): remove it or fix its spelling',
      ),
    });
    const plain = await start({ provider: 'carddav', url: 'http://dav.example.org/' });
    await plain.client.close();
    expect(plain.error).toMatchObject({
      code: 'INVALID_CONFIG',
      message: expect.stringMatching(/modules\.contacts\.url .*https.*CardDAV password/),
    });
    const books = await start({ provider: 'carddav', url: server.url, books: 'book' });
    await books.client.close();
    expect(books.error).toMatchObject({
      code: 'INVALID_CONFIG',
      message: expect.stringContaining('modules.contacts.books must be a list of book names'),
    });
  });
});
