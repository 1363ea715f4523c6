import { type GoogleEmulator, startGoogleEmulator } from '@contacts/google-emulator';
import { describeDatabase } from '@contacts/schema/testing';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { startGoogleModule } from '../test-support/google-module.js';
import { resultText } from '../test-support/module-harness.js';

// The real Google provider against the People API emulator, through the module and a real MCP client.
describeDatabase('ContactsModule with the Google provider against the emulator', (t) => {
  let emulator: GoogleEmulator;
  beforeAll(async () => {
    emulator = await startGoogleEmulator({ people: 40, seed: 11 });
  });
  afterAll(async () => {
    await emulator?.close();
  });
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
  });

  async function start() {
    const started = await startGoogleModule({ db: t.db, butlerSchema: t.butlerSchema, emulator });
    closers.push(started.close);
    return started;
  }

  it('syncs the address book through the tools, then changes, then recovers from a revoked token', async () => {
    const { call, store, logger, timers } = await start();
    const live = emulator.admin.people().length;

    const first = await call('contacts_sync_now');
    expect(first.isError, resultText(first)).toBeFalsy();
    expect(first.structuredContent).toMatchObject({
      provider: 'google',
      account_id: 'default',
      mode: 'full',
      summary: { fetched: live, failed: 0 },
    });
    expect((await call('contacts_sync_status')).structuredContent).toMatchObject({
      cursor_present: true,
      contact_count: live,
      last_error: null,
    });

    const [someone, other] = emulator.admin.people();
    emulator.admin.updatePerson(someone!.resourceName, { nicknames: [{ value: 'Renamed Nick' }] });
    emulator.admin.deletePerson(other!.resourceName);
    emulator.admin.addPerson({ names: [{ givenName: 'Brand', familyName: 'New' }] });
    const changes = await call('contacts_sync_now', { mode: 'incremental' });
    expect(changes.structuredContent).toMatchObject({
      mode: 'incremental',
      summary: { fetched: 3, deleted: 1, created: 1 },
    });

    // A revoked refresh token: the sync fails as an auth error, the source says auth_error.
    emulator.admin.revokeRefreshToken();
    const refused = await call('contacts_sync_now');
    expect(refused.isError).toBe(true);
    expect(resultText(refused)).toMatch(/dashboard OAuth flow/);
    expect((await call('contacts_source_list')).structuredContent).toMatchObject({
      sources: [{ status: 'auth_error' }],
    });
    // Re-authorised: the new token lands in the credential store; the runtime picks it up itself.
    const fresh = emulator.admin.rotateRefreshToken();
    await store.set('GOOGLE_REFRESH_TOKEN', fresh);
    await timers.runNext();
    expect((await call('contacts_source_list')).structuredContent).toMatchObject({
      sources: [{ status: 'active', last_error: null }],
    });

    const everything = [logger.text(), JSON.stringify(await call('contacts_sync_status'))].join('\n');
    for (const secret of [emulator.credentials.clientSecret, fresh]) expect(everything).not.toContain(secret);
  });
});
