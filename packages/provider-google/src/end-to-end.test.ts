import { runSyncCycle, type SyncMode } from '@contacts/core';
import type { GoogleEmulator } from '@contacts/google-emulator';
import { type ContactsDatabase, quoteIdent } from '@contacts/schema';
import { describeDatabase } from '@contacts/schema/testing';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { GoogleContactsProvider } from './google-contacts-provider.js';
import { type LogLine, startEmulator, testProvider } from './test-support.js';

const DAY_MS = 24 * 3600 * 1000;

/** Rows of a raw query on either driver (PGlite answers `{ rows }`, postgres.js an array). */
async function rows<T>(db: ContactsDatabase, text: string): Promise<T[]> {
  const result: unknown = await db.execute(text);
  return (Array.isArray(result) ? result : ((result as { rows?: T[] }).rows ?? [])) as T[];
}

async function count(db: ContactsDatabase, text: string): Promise<number> {
  return Number((await rows<{ n: number | string }>(db, text))[0]?.n ?? 0);
}

// Emulator -> @googleapis/people over HTTP -> provider -> runSyncCycle -> database, on every driver.
describeDatabase('google provider end to end', (t) => {
  let emulator: GoogleEmulator;
  let provider: GoogleContactsProvider;
  let logs: LogLine[];
  const s = () => quoteIdent(t.butlerSchema);
  const sync = (mode?: SyncMode) =>
    runSyncCycle({
      db: t.db,
      butlerSchema: t.butlerSchema,
      provider,
      accountId: 'default',
      ...(mode ? { mode } : {}),
    });
  const liveLinks = () =>
    count(t.db, `select count(*) as n from ${s()}.contacts_source_links where deleted_at is null`);

  beforeEach(async () => {
    emulator = await startEmulator({ people: 60, otherContacts: 8 });
    ({ provider, logs } = testProvider(emulator, { pageSize: 25, includeOtherContacts: true }));
  });
  afterEach(async () => {
    await provider.close();
    await emulator.close();
  });

  it('writes every person and other contact of a full sync, with named labels, E.164 phones and typed dates', async () => {
    const result = await sync();
    expect(result).toMatchObject({ mode: 'full', completed: true, pages: 4, cursorExpired: false });
    expect(result.summary.failed).toBe(0);
    expect(await liveLinks()).toBe(68);
    const links = await rows<{ id: string }>(
      t.db,
      `select external_contact_id as id from ${s()}.contacts_source_links`,
    );
    expect(links.filter((l) => l.id.startsWith('otherContacts/'))).toHaveLength(8);

    // Labels carry group names, never an opaque group id (defect 12).
    const groups = emulator.admin.groups();
    const labels = (await rows<{ name: string }>(t.db, `select name from ${s()}.labels`)).map((l) => l.name);
    expect(labels.length).toBeGreaterThan(0);
    const ids = new Set(
      groups.flatMap((g) => [g.resourceName, g.resourceName.replace('contactGroups/', '')]),
    );
    for (const label of labels) expect(ids.has(label)).toBe(false);
    const userGroupNames = new Set(
      groups.filter((g) => g.groupType === 'USER_CONTACT_GROUP').map((g) => g.name),
    );
    for (const label of labels) expect(userGroupNames.has(label)).toBe(true);

    // Phones are matched by E.164 (defect 10); dates keep the event's own type (defect 12).
    const phones = await rows<{ v: string }>(
      t.db,
      `select normalized_value as v from shared.contact_info where type = 'phone'`,
    );
    expect(phones.filter((p) => /^\+[1-9]\d{6,14}$/.test(p.v)).length).toBeGreaterThan(phones.length * 0.8);
    const dateLabels = (
      await rows<{ label: string }>(t.db, `select distinct label from ${s()}.important_dates`)
    ).map((d) => d.label);
    expect(dateLabels).toContain('birthday');

    const state = await rows<{ cursor: string | null }>(
      t.db,
      `select sync_cursor as cursor from ${s()}.contacts_sync_state where provider = 'google'`,
    );
    expect(state[0]?.cursor).toMatch(/.+/);

    const again = await sync();
    expect(again).toMatchObject({ mode: 'incremental', completed: true });
    expect(again.summary).toMatchObject({ fetched: 0, created: 0, updated: 0 });
  });

  it('follows edits, deletions and renames incrementally, one CRM contact per person (defect 17)', async () => {
    await sync();
    const contactsBefore = await count(t.db, 'select count(*) as n from shared.contacts');
    const [edited, removed, renamed] = emulator.admin.people();
    if (!edited || !removed || !renamed) throw new Error('the book is too small');
    emulator.admin.updatePerson(edited.resourceName, {
      emailAddresses: [{ value: 'edited.person@example.org' }],
    });
    emulator.admin.deletePerson(removed.resourceName);
    const moved = emulator.admin.renamePerson(renamed.resourceName);

    const result = await sync();
    expect(result).toMatchObject({ mode: 'incremental', completed: true });
    expect(result.summary.deleted).toBe(1);
    expect(await count(t.db, 'select count(*) as n from shared.contacts')).toBe(contactsBefore);
    expect(
      await count(
        t.db,
        `select count(*) as n from shared.contact_info where normalized_value = 'edited.person@example.org'`,
      ),
    ).toBe(1);
    const link = (id: string) =>
      rows<{ deleted: boolean; local: string | null }>(
        t.db,
        `select deleted_at is not null as deleted, local_contact_id as local from ${s()}.contacts_source_links
         where external_contact_id = '${id}'`,
      );
    expect((await link(removed.resourceName))[0]?.deleted).toBe(true);
    const [now] = await link(moved.resourceName);
    expect(now?.deleted).toBe(false);
    expect(now?.local).toMatch(/.+/);
    expect(await liveLinks()).toBe(67);
  });

  it('reports what the engine holds as unchanged in a full sync, mapping and sending only what changed (issue 15)', async () => {
    await sync();
    const [edited] = emulator.admin.people();
    if (!edited) throw new Error('the book is empty');
    emulator.admin.updatePerson(edited.resourceName, {
      emailAddresses: [{ value: 'edited.again@example.org' }],
    });
    logs.length = 0;

    const result = await sync('full');
    expect(result).toMatchObject({ mode: 'full', completed: true });
    expect(result.summary).toMatchObject({ fetched: 1, applied: 1, updated: 1, unchanged: 67, deleted: 0 });
    const pages = logs
      .filter((line) => line.message === 'google page fetched')
      .map((line) => line.fields ?? {});
    expect(pages.reduce((n, page) => n + Number(page.contacts), 0)).toBe(1);
    expect(pages.reduce((n, page) => n + Number(page.unchanged), 0)).toBe(67);
    // The sweep knows the unchanged were seen: none is tombstoned.
    expect(await liveLinks()).toBe(68);
  });

  it('recovers from an expired cursor with a full sync in the same cycle (defect 4)', async () => {
    await sync();
    emulator.admin.advanceClock(8 * DAY_MS);
    const result = await sync();
    expect(result).toMatchObject({ cursorExpired: true, mode: 'full', completed: true });
    expect(await liveLinks()).toBe(68);
  });

  it.each([
    ['400 EXPIRED_SYNC_TOKEN', 'expiredSyncToken'],
    ['the older 410', 'syncTokenGone'],
  ] as const)(
    'recovers from an expired cursor answered as %s with a full sync (defect 4)',
    async (_, kind) => {
      await sync();
      emulator.admin.injectFault({ kind, endpoint: 'connections', when: 'withSyncToken' });
      const result = await sync();
      expect(result).toMatchObject({ cursorExpired: true, mode: 'full', completed: true });
      expect(await liveLinks()).toBe(68);
    },
  );
});
