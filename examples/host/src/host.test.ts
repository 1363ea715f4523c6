import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DbCredentialStore, silentLogger } from '@contacts/butler-module';
import { startGoogleEmulator } from '@contacts/google-emulator';
import { describeDatabase } from '@contacts/schema/testing';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { expect, it } from 'vitest';
import { startHost } from './host.js';

const butlerToml = readFileSync(new URL('../butler.toml', import.meta.url), 'utf8').replace(
  'run_on_startup = true',
  'run_on_startup = false',
);

describeDatabase('a butler host embedding the contacts module', (t) => {
  it("serves the module's four tools beside its own, and syncs through them", async () => {
    const emulator = await startGoogleEmulator({ people: 60, seed: 3, otherContacts: 0 });
    const secretsKey = randomBytes(32).toString('base64');
    const store = new DbCredentialStore({ db: t.db, butlerSchema: t.butlerSchema, secretsKey });
    await store.set('GOOGLE_OAUTH_CLIENT_ID', emulator.credentials.clientId);
    await store.set('GOOGLE_OAUTH_CLIENT_SECRET', emulator.credentials.clientSecret);
    await store.set('GOOGLE_REFRESH_TOKEN', emulator.credentials.refreshToken);
    const host = await startHost({
      butlerToml,
      db: t.db,
      logger: silentLogger,
      butlerSchema: t.butlerSchema,
      google: { rootUrl: emulator.url, tokenUrl: emulator.tokenUrl },
      secretsKey,
    });
    const [a, b] = InMemoryTransport.createLinkedPair();
    await host.server.connect(b);
    const client = new Client({ name: 'test', version: '0' });
    try {
      await client.connect(a);
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name).sort()).toEqual([
        'butler_ping',
        'contacts_source_list',
        'contacts_source_reconcile',
        'contacts_sync_now',
        'contacts_sync_status',
      ]);
      const sync = await client.callTool({ name: 'contacts_sync_now', arguments: { mode: 'full' } });
      expect(sync.isError).toBeFalsy();
      expect(sync.structuredContent).toMatchObject({
        provider: 'google',
        mode: 'full',
        summary: { fetched: 60 },
      });
      const ping = await client.callTool({ name: 'butler_ping', arguments: {} });
      expect(ping.structuredContent).toEqual({ butler: 'relationship', modules: ['contacts'] });
    } finally {
      await client.close();
      await host.stop();
      await emulator.close();
    }
  });
});
