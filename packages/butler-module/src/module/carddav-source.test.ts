import { type ContactsProvider, type ProviderDescriptor, ProviderRegistry } from '@contacts/core';
import { type CardDavContactsProvider, carddavProviderDescriptor } from '@contacts/provider-carddav';
import {
  DavTransport,
  deleteCard,
  describeOnDavServer,
  putCard,
  type RadicaleServer,
  startRadicale,
} from '@contacts/provider-carddav/testing';
import { butlerTables, contacts } from '@contacts/schema';
import { describeDatabase } from '@contacts/schema/testing';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DbCredentialStore } from '../credentials/db-credential-store.js';
import { CaptureLogger } from '../test-support/capture-logger.js';
import { ManualClock, ManualTimers } from '../test-support/manual-timers.js';
import { connectClient, resultText } from '../test-support/module-harness.js';
import { ContactsModule } from './contacts-module.js';

const card = (uid: string, given: string, family: string, title: string, extra: string[] = []) =>
  [
    'BEGIN:VCARD',
    'VERSION:3.0',
    `UID:${uid}`,
    `FN:${given} ${family}`,
    `N:${family};${given};;;`,
    `EMAIL;TYPE=INTERNET:${given.toLowerCase()}@example.org`,
    'ORG:Analytical Engines',
    `TITLE:${title}`,
    ...extra,
    'END:VCARD',
    '',
  ].join('\r\n');

// Issue 13: a `[[modules.contacts.sources]]` table with `provider = "carddav"` through the module against a real Radicale: cards become CRM
// contacts, changes and deletions follow, a quiet poll costs one request per book, and a hand
// edit is kept against a CardDAV change.
describeDatabase('a CardDAV source through the module', (t) => {
  describeOnDavServer('radicale', 'CardDAV source end to end', () => {
    let radicale: RadicaleServer;
    let bookUrl: string;
    let transport: DavTransport;
    beforeAll(async () => {
      radicale = await startRadicale();
      bookUrl = await radicale.createBook('contacts');
      transport = new DavTransport({ site: radicale.url, credentials: radicale.credentials });
    });
    afterAll(async () => {
      await radicale?.stop();
    });

    it('syncs created, changed and deleted cards, polls quietly with one request, keeps a hand edit', async () => {
      const url = (name: string) => new URL(`${name}.vcf`, bookUrl);
      await putCard(transport, url('ada'), card('ada', 'Ada', 'Lovelace', 'Analyst', ['CATEGORIES:Friends']));
      await putCard(transport, url('grace'), card('grace', 'Grace', 'Hopper', 'Admiral'));

      const clock = new ManualClock();
      const logger = new CaptureLogger();
      const store = new DbCredentialStore({ db: t.db, butlerSchema: t.butlerSchema, clock });
      await store.set('CARDDAV_USERNAME', radicale.credentials.username);
      await store.set('CARDDAV_PASSWORD', radicale.credentials.password);
      const providers: CardDavContactsProvider[] = [];
      const counting: ProviderDescriptor<unknown> = {
        ...(carddavProviderDescriptor as ProviderDescriptor<unknown>),
        create: async (ctx) => {
          const provider = (await carddavProviderDescriptor.create(ctx as never)) as ContactsProvider;
          providers.push(provider as CardDavContactsProvider);
          return provider;
        },
      };
      const module = new ContactsModule({ registry: new ProviderRegistry().register(counting) });
      const server = new McpServer({ name: 'test-butler', version: '0.0.0' });
      module.registerTools(server);
      const client = await connectClient(server);
      try {
        await module.onStartup({
          config: { sync: { run_on_startup: false }, sources: [{ provider: 'carddav', url: radicale.url }] },
          db: t.db,
          butlerSchema: t.butlerSchema,
          credentialStore: store,
          logger,
          clock,
          timers: new ManualTimers(clock),
        });
        const sync = async () => {
          const result = (await client.callTool({
            name: 'contacts_sync_now',
            arguments: {},
          })) as CallToolResult;
          expect(result.isError, resultText(result)).toBeFalsy();
          return result.structuredContent as { summary: { conflicts: number } };
        };
        const live = async () =>
          (await t.db.select().from(contacts).where(isNull(contacts.archivedAt)))
            .map((c) => `${c.firstName} ${c.lastName}: ${c.jobTitle}`)
            .sort();
        const links = async () =>
          (await t.db.select().from(butlerTables(t.butlerSchema).contactsSourceLinks)).filter(
            (l) => l.provider === 'carddav' && l.deletedAt === null,
          );

        await sync();
        expect(await live()).toEqual(['Ada Lovelace: Analyst', 'Grace Hopper: Admiral']);

        // created, changed, deleted
        await putCard(transport, url('lin'), card('lin', 'Lin', 'Clark', 'Engineer'));
        await putCard(transport, url('grace'), card('grace', 'Grace', 'Hopper', 'Rear Admiral'));
        await deleteCard(transport, url('ada'));
        await sync();
        expect((await links()).map((l) => l.externalContactId).sort()).toEqual(
          [url('grace').pathname, url('lin').pathname].sort(),
        );
        expect((await live()).filter((c) => !c.startsWith('Ada'))).toEqual([
          'Grace Hopper: Rear Admiral',
          'Lin Clark: Engineer',
        ]);

        // a quiet poll: one request for the one book
        const provider = providers.at(-1)!;
        const before = provider.transport.requests;
        await sync();
        expect(provider.transport.requests - before).toBe(1);

        // a hand edit is kept against a CardDAV change
        const lin = (await links()).find((l) => l.externalContactId === url('lin').pathname)!;
        await t.db.update(contacts).set({ jobTitle: 'Founder' }).where(eq(contacts.id, lin.localContactId!));
        await putCard(transport, url('lin'), card('lin', 'Lin', 'Clark', 'Principal Engineer'));
        expect((await sync()).summary).toMatchObject({ conflicts: 1 });
        expect((await live()).find((c) => c.startsWith('Lin'))).toBe('Lin Clark: Founder');
      } finally {
        await module.onShutdown();
        await client.close();
      }
    });
  });
});
