import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTACTS_READONLY_SCOPE } from '../auth.js';
import { createManualClock } from '../clock.js';
import { type GoogleEmulator, startGoogleEmulator } from '../server.js';
import { client } from '../test-support.js';
import type { Person } from '../types.js';

let emulator: GoogleEmulator;
let api: ReturnType<typeof client>;

beforeAll(async () => {
  emulator = await startGoogleEmulator({
    seed: 3,
    people: 20,
    otherContacts: 250,
    clock: createManualClock(),
  });
  api = client(emulator);
});
afterAll(() => emulator.close());

describe('otherContacts.list', () => {
  it('requires readMask', async () => {
    const { status, body } = await api.otherContacts({});
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
    expect(body.error?.message).toContain('readMask mask is required');
  });

  it.each(['addresses', 'nicknames', 'memberships', 'organizations'])(
    'refuses %s: only emailAddresses, metadata, names, phoneNumbers and photos are allowed',
    async (field) => {
      const { status, body } = await api.otherContacts({ readMask: `names,${field}` });
      expect(status).toBe(400);
      expect(body.error?.message).toContain(`"${field}"`);
    },
  );

  it('lists other contacts with only the allowed fields, totalSize and otherContacts/c ids', async () => {
    const { body } = await api.otherContacts({
      readMask: 'emailAddresses,metadata,names,phoneNumbers,photos',
    });
    expect(body.otherContacts).toHaveLength(100);
    expect(body.totalSize).toBe(250);
    for (const contact of body.otherContacts ?? []) {
      expect(contact.resourceName).toMatch(/^otherContacts\/c\d+$/);
      expect(contact.emailAddresses?.length).toBeGreaterThan(0);
      expect(contact.metadata?.sources?.[0]?.type).toBe('OTHER_CONTACT');
      expect(contact.emailAddresses?.[0]?.metadata?.source?.type).toBe('OTHER_CONTACT');
      for (const key of Object.keys(contact)) {
        expect([
          'resourceName',
          'etag',
          'metadata',
          'names',
          'emailAddresses',
          'phoneNumbers',
          'photos',
        ]).toContain(key);
      }
    }
  });

  it('applies pageSize bounds and binds page tokens', async () => {
    expect((await api.otherContacts({ readMask: 'names', pageSize: 1001 })).status).toBe(400);
    const first = await api.otherContacts({ readMask: 'names', pageSize: 100 });
    expect(
      (
        await api.otherContacts({
          readMask: 'emailAddresses',
          pageSize: 100,
          pageToken: first.body.nextPageToken,
        })
      ).status,
    ).toBe(400);
    const { items } = await api.all('v1/otherContacts', 'otherContacts', {
      readMask: 'emailAddresses',
      pageSize: 100,
    });
    expect(new Set(items.map((p) => p.resourceName)).size).toBe(250);
  });

  it('has no sortOrder parameter', async () => {
    const { status, body } = await api.otherContacts({
      readMask: 'names',
      sortOrder: 'LAST_MODIFIED_ASCENDING',
    });
    expect(status).toBe(400);
    expect(body.error?.message).toContain('Unknown name "sortOrder"');
  });

  it('syncs: a token on the last page only, then changes and tombstones', async () => {
    const { bodies, nextSyncToken } = await api.all('v1/otherContacts', 'otherContacts', {
      readMask: 'emailAddresses,names',
      pageSize: 100,
      requestSyncToken: true,
    });
    expect(bodies.map((b) => b.nextSyncToken === undefined)).toEqual([true, true, false]);
    const [edited, deleted] = emulator.admin.otherContacts() as [Person, Person];
    emulator.admin.updateOtherContact(edited.resourceName, {
      emailAddresses: [{ value: 'changed@example.org' }],
    });
    emulator.admin.deleteOtherContact(deleted.resourceName);
    const added = emulator.admin.addOtherContact({ emailAddresses: [{ value: 'new@example.org' }] });
    const { items } = await api.all('v1/otherContacts', 'otherContacts', {
      readMask: 'emailAddresses,names',
      syncToken: nextSyncToken,
      requestSyncToken: true,
    });
    expect(items.map((p) => p.resourceName)).toEqual([
      edited.resourceName,
      deleted.resourceName,
      added.resourceName,
    ]);
    expect((items[1] as Person).metadata?.deleted).toBe(true);
    expect((items[0] as Person).emailAddresses?.[0]?.value).toBe('changed@example.org');
  });

  it('keeps other contacts to their fields in the admin API too', () => {
    expect(() => emulator.admin.addOtherContact({ addresses: [{ city: 'Berlin' }] })).toThrowError(
      /only names/,
    );
  });

  it('needs the contacts.other.readonly scope (403 without it)', async () => {
    const narrow = await startGoogleEmulator({ otherContacts: 1, scopes: [CONTACTS_READONLY_SCOPE] });
    try {
      const { status, body } = await client(narrow).otherContacts({ readMask: 'names' });
      expect(status).toBe(403);
      expect(body.error).toMatchObject({
        status: 'PERMISSION_DENIED',
        details: [{ reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT' }],
      });
      expect((await client(narrow).connections({ personFields: 'names' })).status).toBe(200);
    } finally {
      await narrow.close();
    }
  });
});
