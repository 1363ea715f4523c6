import { CanonicalContact } from '@contacts/core';
import type { GoogleEmulator } from '@contacts/google-emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OTHER_CONTACTS_READ_MASK } from './google-fields.js';
import { decodeSyncCursor } from './sync-cursor.js';
import { failureOf, startEmulator, syncPages, testProvider } from './test-support.js';

const contactsOf = (pages: { contacts: unknown[] }[]) =>
  pages.flatMap((p) => p.contacts.map((c) => CanonicalContact.parse(c)));

describe('other contacts as a second stream (defect 6: the option was never read)', () => {
  let emulator: GoogleEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ people: 25, otherContacts: 12 });
  });
  afterAll(() => emulator.close());

  it('pages connections, then otherContacts; the final cursor holds both sync tokens', async () => {
    emulator.admin.resetRequests();
    const { provider } = testProvider(emulator, { includeOtherContacts: true, pageSize: 10 });
    const pages = await syncPages(provider);
    expect(pages.map((p) => p.checkpoint?.stream)).toEqual([
      'connections',
      'connections',
      'connections',
      'otherContacts',
      'otherContacts',
    ]);
    expect(pages.map((p) => Boolean(p.next_sync_cursor))).toEqual([false, false, false, false, true]);
    const ids = contactsOf(pages).map((c) => c.external_id);
    expect(ids.filter((id) => id.startsWith('people/'))).toHaveLength(25);
    expect(ids.filter((id) => id.startsWith('otherContacts/'))).toHaveLength(12);
    const tokens = decodeSyncCursor(pages.at(-1)?.next_sync_cursor as string);
    expect(tokens.connections).toMatch(/.+/);
    expect(tokens.otherContacts).toMatch(/.+/);
    expect(tokens.otherContacts).not.toBe(tokens.connections);
    for (const request of emulator.admin.requests('otherContacts')) {
      const query = new URLSearchParams(request.query);
      expect(query.get('readMask')).toBe(OTHER_CONTACTS_READ_MASK);
      expect(query.get('requestSyncToken')).toBe('true');
    }
  });

  it('syncs changes of each stream incrementally with its own token', async () => {
    const { provider } = testProvider(emulator, { includeOtherContacts: true, pageSize: 10 });
    const cursor = (await syncPages(provider)).at(-1)?.next_sync_cursor as string;
    const [changed, removed] = emulator.admin.otherContacts();
    if (!changed || !removed) throw new Error('too few other contacts');
    emulator.admin.updateOtherContact(changed.resourceName, {
      emailAddresses: [{ value: 'new-address@example.net' }],
    });
    emulator.admin.deleteOtherContact(removed.resourceName);
    const person = emulator.admin.addPerson({ names: [{ givenName: 'Grace', familyName: 'Hopper' }] });

    const pages = await syncPages(provider, cursor);
    const changes = new Map(contactsOf(pages).map((c) => [c.external_id, c]));
    expect(changes.size).toBe(3);
    expect(changes.get(person.resourceName)?.first_name).toBe('Grace');
    expect(changes.get(changed.resourceName)?.emails.map((e) => e.value)).toEqual([
      'new-address@example.net',
    ]);
    expect(changes.get(removed.resourceName)?.deleted).toBe(true);

    const again = await syncPages(provider, pages.at(-1)?.next_sync_cursor as string);
    expect(contactsOf(again)).toEqual([]);
  });

  it('answers an old connections-only cursor with CURSOR_EXPIRED once the stream is turned on', async () => {
    const before = testProvider(emulator, { includeOtherContacts: false }).provider;
    const oldCursor = (await syncPages(before)).at(-1)?.next_sync_cursor as string;
    expect(decodeSyncCursor(oldCursor).otherContacts).toBeUndefined();
    const after = testProvider(emulator, { includeOtherContacts: true }).provider;
    const error = await failureOf(after.incrementalSync({ cursor: oldCursor }));
    expect(error).toMatchObject({ code: 'CURSOR_EXPIRED' });
    expect((error as Error).message).toMatch(/other contacts/);
  });

  it('drops the otherContacts token once the stream is turned off', async () => {
    const on = testProvider(emulator, { includeOtherContacts: true }).provider;
    const cursor = (await syncPages(on)).at(-1)?.next_sync_cursor as string;
    const off = testProvider(emulator, { includeOtherContacts: false }).provider;
    const pages = await syncPages(off, cursor);
    expect(pages).toHaveLength(1);
    expect(decodeSyncCursor(pages[0]?.next_sync_cursor as string)).toEqual({
      connections: expect.any(String),
    });
  });
});
