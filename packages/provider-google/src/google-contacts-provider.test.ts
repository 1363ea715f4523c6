import { CanonicalContact, CanonicalGroup, ProviderError } from '@contacts/core';
import type { GoogleEmulator } from '@contacts/google-emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERSON_FIELDS } from './google-fields.js';
import { decodeSyncCursor } from './sync-cursor.js';
import { failureOf, startEmulator, syncPages, testProvider } from './test-support.js';

const contactsOf = (pages: { contacts: unknown[] }[]) =>
  pages.flatMap((p) => p.contacts.map((c) => CanonicalContact.parse(c)));

describe('GoogleContactsProvider over HTTP: full sync of several pages', () => {
  let emulator: GoogleEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ people: 2_500, otherContacts: 0 });
  });
  afterAll(() => emulator.close());

  it('pages 2,500 people in 3 pages of 1,000, the cursor only on the last', async () => {
    const { provider } = testProvider(emulator);
    const pages = await syncPages(provider);
    expect(pages.map((p) => p.contacts.length)).toEqual([1000, 1000, 500]);
    expect(pages.map((p) => Boolean(p.next_page_token))).toEqual([true, true, false]);
    expect(pages.map((p) => Boolean(p.next_sync_cursor))).toEqual([false, false, true]);
    const ids = contactsOf(pages).map((c) => c.external_id);
    expect(new Set(ids).size).toBe(2_500);
    expect(decodeSyncCursor(pages[2]?.next_sync_cursor as string).connections).toMatch(/.+/);
    // Checkpoints are JSON-safe and name the stream; the last one has no page left.
    expect(pages.map((p) => JSON.parse(JSON.stringify(p.checkpoint)))).toEqual([
      { stream: 'connections', pageToken: pages[0]?.next_page_token },
      { stream: 'connections', pageToken: pages[1]?.next_page_token },
      { stream: 'connections', pageToken: null },
    ]);
  });

  it('asks for every person field with requestSyncToken=true and pageSize 1000 on every page (defect 8)', async () => {
    emulator.admin.resetRequests();
    await syncPages(testProvider(emulator).provider);
    const lists = emulator.admin.requests('connections');
    expect(lists).toHaveLength(3);
    for (const request of lists) {
      const query = new URLSearchParams(request.query);
      expect(query.get('personFields')?.split(',').sort()).toEqual(PERSON_FIELDS.split(',').sort());
      expect(query.get('personFields')).toContain('nicknames');
      expect(query.get('personFields')).toContain('imClients');
      expect(query.get('requestSyncToken')).toBe('true');
      expect(query.get('pageSize')).toBe('1000');
    }
    // Groups are the cycle's business (one listGroups() a cycle), never one call per page.
    expect(emulator.admin.requestCount('contactGroups')).toBe(0);
  });

  it('normalizes what the emulator generates into valid canonical contacts', async () => {
    const pages = await syncPages(testProvider(emulator).provider);
    const contacts = contactsOf(pages);
    const phones = contacts.flatMap((c) => c.phones);
    expect(phones.length).toBeGreaterThan(1000);
    for (const phone of phones)
      if (phone.e164 !== null && phone.e164 !== undefined) expect(phone.e164).toMatch(/^\+[1-9]\d{6,14}$/);
    for (const address of contacts.flatMap((c) => c.addresses)) {
      if (address.country_code) expect(address.country_code).toMatch(/^[A-Z]{2}$/);
    }
    expect(contacts.some((c) => c.usernames.length > 0)).toBe(true);
    expect(contacts.some((c) => c.nickname)).toBe(true);
  });
});

describe('GoogleContactsProvider over HTTP: incremental sync', () => {
  let emulator: GoogleEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ people: 40, otherContacts: 0 });
  });
  afterAll(() => emulator.close());

  it('returns nothing when nothing changed, then additions, edits, deletions and renames (defect 17)', async () => {
    const { provider } = testProvider(emulator, { pageSize: 10 });
    const full = await syncPages(provider);
    expect(full).toHaveLength(4);
    let cursor = full.at(-1)?.next_sync_cursor as string;

    const quiet = await syncPages(provider, cursor);
    expect(quiet.flatMap((p) => p.contacts)).toEqual([]);
    cursor = quiet.at(-1)?.next_sync_cursor as string;

    const [edited, removed, renamed] = emulator.admin.people();
    if (!edited || !removed || !renamed) throw new Error('the book is too small');
    const added = emulator.admin.addPerson({ names: [{ givenName: 'Ada', familyName: 'Lovelace' }] });
    emulator.admin.updatePerson(edited.resourceName, { nicknames: [{ value: 'Edited' }] });
    emulator.admin.deletePerson(removed.resourceName);
    const moved = emulator.admin.renamePerson(renamed.resourceName);

    const pages = await syncPages(provider, cursor);
    const changes = new Map(contactsOf(pages).map((c) => [c.external_id, c]));
    expect(changes.get(added.resourceName)).toMatchObject({
      first_name: 'Ada',
      last_name: 'Lovelace',
      deleted: false,
    });
    expect(changes.get(edited.resourceName)).toMatchObject({ nickname: 'Edited', deleted: false });
    expect(changes.get(edited.resourceName)?.etag).not.toBe(edited.etag);
    expect(changes.get(removed.resourceName)).toMatchObject({ deleted: true, emails: [] });
    expect(changes.get(removed.resourceName)?.raw).toBeUndefined();
    expect(changes.get(moved.resourceName)?.previous_external_ids).toContain(renamed.resourceName);
    expect(pages.at(-1)?.next_sync_cursor).toMatch(/.+/);
    expect(pages.every((p) => (p.groups ?? []).length === 0)).toBe(true);
  });

  it('reports a cursor it did not issue as CURSOR_EXPIRED', async () => {
    const error = await failureOf(
      testProvider(emulator).provider.incrementalSync({ cursor: 'not-a-cursor' }),
    );
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: 'CURSOR_EXPIRED' });
  });
});

describe('GoogleContactsProvider over HTTP: groups as labels (defect 12)', () => {
  let emulator: GoogleEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ people: 30, otherContacts: 0 });
  });
  afterAll(() => emulator.close());

  it('names user groups by their name and system groups readably, never by the opaque id', async () => {
    const club = emulator.admin.addGroup('Bouldering crew 2026');
    const groups = (await testProvider(emulator).provider.listGroups()).map((g) => CanonicalGroup.parse(g));
    expect(groups).toContainEqual({
      external_id: club.resourceName,
      name: 'Bouldering crew 2026',
      system: false,
      deleted: false,
    });
    expect(groups).toContainEqual({
      external_id: 'contactGroups/myContacts',
      name: 'My Contacts',
      system: true,
      deleted: false,
    });
    expect(groups.find((g) => g.external_id === 'contactGroups/starred')?.name).toBe('Starred');
    for (const group of groups) {
      expect(group.name).not.toBe(group.external_id);
      expect(group.name).not.toBe(group.external_id.replace('contactGroups/', ''));
    }
  });

  it('lists every group a membership names, so memberships resolve to names', async () => {
    const { provider } = testProvider(emulator, { pageSize: 10 });
    const pages = await syncPages(provider);
    expect(pages.every((p) => (p.groups ?? []).length === 0)).toBe(true);
    const groups = new Map((await provider.listGroups()).map((g) => [g.external_id, g.name]));
    const memberships = contactsOf(pages).flatMap((c) => c.group_memberships);
    expect(memberships.length).toBeGreaterThan(0);
    for (const id of memberships) expect(groups.get(id)).toMatch(/.+/);
  });
});
