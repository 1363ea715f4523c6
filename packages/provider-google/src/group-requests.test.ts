import { runSyncCycle, type SyncMode } from '@contacts/core';
import type { GoogleEmulator } from '@contacts/google-emulator';
import { type ContactsDatabase, quoteIdent } from '@contacts/schema';
import { describeDatabase } from '@contacts/schema/testing';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { GoogleContactsProvider } from './google-contacts-provider.js';
import { startEmulator, testProvider } from './test-support.js';

async function labelNames(db: ContactsDatabase, schema: string): Promise<string[]> {
  const result: unknown = await db.execute(`select name from ${quoteIdent(schema)}.labels order by name`);
  const rows = (Array.isArray(result) ? result : ((result as { rows?: unknown[] }).rows ?? [])) as {
    name: string;
  }[];
  return rows.map((r) => r.name);
}

// What a sync costs against Google's per-user read quota, read from the emulator's request log:
// contact groups are listed by a full sync, and by an incremental one only when a page names a
// group the account's stored groups do not hold.
describeDatabase('google sync requests for contact groups', (t) => {
  let emulator: GoogleEmulator;
  let provider: GoogleContactsProvider;
  const sync = (mode: SyncMode, on = provider) =>
    runSyncCycle({ db: t.db, butlerSchema: t.butlerSchema, provider: on, accountId: 'default', mode });
  /** The requests of `run`, by endpoint, in order. */
  const requestsOf = async (run: () => Promise<unknown>): Promise<string[]> => {
    emulator.admin.resetRequests();
    await run();
    return emulator.admin.requests().map((r) => r.endpoint);
  };

  beforeEach(async () => {
    emulator = await startEmulator({ people: 30 });
    provider = testProvider(emulator, { pageSize: 20 }).provider;
  });
  afterEach(async () => {
    await provider.close();
    await emulator.close();
  });

  it('lists groups in a full sync, and a quiet poll is one request, also from a new provider', async () => {
    const full = await requestsOf(() => sync('full'));
    expect(full.filter((e) => e === 'contactGroups')).toHaveLength(1);
    expect(full.filter((e) => e === 'connections')).toHaveLength(2);

    expect(await requestsOf(() => sync('incremental'))).toEqual(['connections']);

    // A restarted process: the groups come from the sync state, not from the source.
    const fresh = testProvider(emulator, { pageSize: 20 }).provider;
    try {
      await fresh.validateCredentials(); // its token, outside the count
      expect(await requestsOf(() => sync('incremental', fresh))).toEqual(['connections']);
    } finally {
      await fresh.close();
    }

    // A second full sync lists them again.
    expect((await requestsOf(() => sync('full'))).filter((e) => e === 'contactGroups')).toHaveLength(1);
  });

  it('lists groups once when an incremental page names a group it does not know, then no more', async () => {
    await sync('full');
    const [ada, grace] = emulator.admin.people();
    const testers = emulator.admin.addGroup('Quiet-poll testers');
    const member = (resourceName: string) => ({
      contactGroupMembership: { contactGroupResourceName: resourceName },
    });
    emulator.admin.updatePerson(ada!.resourceName, {
      memberships: [member('contactGroups/myContacts'), member(testers.resourceName)],
    });
    emulator.admin.updatePerson(grace!.resourceName, {
      memberships: [member('contactGroups/myContacts'), member(testers.resourceName)],
    });
    const changed = await requestsOf(() => sync('incremental'));
    expect(changed).toEqual(['connections', 'contactGroups']);
    expect(await labelNames(t.db, t.butlerSchema)).toContain('Quiet-poll testers');

    // Known now (stored with the page): an edit naming it costs no listing.
    emulator.admin.updatePerson(ada!.resourceName, { nicknames: [{ value: 'Countess' }] });
    expect(await requestsOf(() => sync('incremental'))).toEqual(['connections']);
    expect(await requestsOf(() => sync('incremental'))).toEqual(['connections']);
  });
});
