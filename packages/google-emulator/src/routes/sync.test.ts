import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../clock.js';
import { EXPIRED_SYNC_TOKEN_MESSAGE } from '../errors.js';
import { type GoogleEmulator, startGoogleEmulator } from '../server.js';
import { client } from '../test-support.js';
import type { Person } from '../types.js';

const DAY = 86_400_000;
const FIELDS = 'names,emailAddresses,metadata';

let emulator: GoogleEmulator;
let api: ReturnType<typeof client>;

beforeEach(async () => {
  emulator = await startGoogleEmulator({
    seed: 5,
    people: 300,
    otherContacts: 0,
    clock: createManualClock(),
  });
  api = client(emulator);
});
afterEach(() => emulator.close());

async function fullSync(personFields = FIELDS): Promise<string> {
  const { nextSyncToken } = await api.all('v1/people/me/connections', 'connections', {
    personFields,
    pageSize: 1000,
    requestSyncToken: true,
  });
  if (!nextSyncToken) throw new Error('no sync token');
  return nextSyncToken;
}

async function changesSince(syncToken: string, personFields = FIELDS) {
  return api.all('v1/people/me/connections', 'connections', {
    personFields,
    syncToken,
    requestSyncToken: true,
  });
}

describe('sync tokens: incremental changes', () => {
  it('returns nothing when nothing changed: no connections key, a new token, no totals', async () => {
    const token = await fullSync();
    const { status, body } = await api.connections({
      personFields: FIELDS,
      syncToken: token,
      requestSyncToken: true,
    });
    expect(status).toBe(200);
    expect(Object.keys(body)).toEqual(['nextSyncToken']);
  });

  it('returns only the people changed since: edit, delete (tombstone), rename, new person', async () => {
    const token = await fullSync();
    const [edited, deleted, renamed] = emulator.admin.people() as [Person, Person, Person];
    const before = { edited: edited.etag, sourceEtag: edited.metadata?.sources?.[0]?.etag };

    emulator.admin.advanceClock(60_000);
    emulator.admin.updatePerson(edited.resourceName, {
      emailAddresses: [{ value: 'new@example.com', type: 'work' }],
    });
    emulator.admin.deletePerson(deleted.resourceName);
    const afterRename = emulator.admin.renamePerson(renamed.resourceName);
    const added = emulator.admin.addPerson({ names: [{ givenName: 'Neu', familyName: 'Hinzugefügt' }] });

    const { items, nextSyncToken } = await changesSince(token);
    const people = items as Person[];
    expect(people.map((p) => p.resourceName)).toEqual([
      edited.resourceName,
      deleted.resourceName,
      afterRename.resourceName,
      added.resourceName,
    ]);
    const [e, d, r, a] = people as [Person, Person, Person, Person];
    expect(e.emailAddresses).toEqual([
      {
        metadata: { primary: true, sourcePrimary: true, source: { type: 'CONTACT', id: expect.any(String) } },
        value: 'new@example.com',
        type: 'work',
        formattedType: 'Work',
      },
    ]);
    expect(e.etag).not.toBe(before.edited);
    expect(e.metadata?.sources?.[0]?.etag).not.toBe(before.sourceEtag);
    // Google's timestamp form, with microseconds, at the emulator's (advanced) time.
    expect(e.metadata?.sources?.[0]?.updateTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(
      e.metadata?.sources?.[0]?.updateTime?.startsWith(
        new Date(emulator.admin.now()).toISOString().slice(0, -1),
      ),
    ).toBe(true);
    expect(Object.keys(d)).toEqual(['resourceName', 'etag', 'metadata']);
    expect(d.metadata).toMatchObject({ deleted: true, objectType: 'PERSON' });
    expect(r.resourceName).toMatch(/^people\/1\d{20}$/);
    expect(r.metadata?.previousResourceNames).toEqual([renamed.resourceName]);
    expect(r.names).toEqual(renamed.names);
    expect(a.names?.[0]?.displayName).toBe('Neu Hinzugefügt');

    // The next token sees none of these again.
    const again = await changesSince(nextSyncToken as string);
    expect(again.items).toEqual([]);
  });

  it('shows previousResourceNames only in sync-token responses', async () => {
    const person = emulator.admin.people()[0] as Person;
    const renamed = emulator.admin.renamePerson(person.resourceName, 'people/c42');
    const { items } = await api.all('v1/people/me/connections', 'connections', {
      personFields: FIELDS,
      pageSize: 1000,
    });
    const listed = (items as Person[]).find((p) => p.resourceName === renamed.resourceName);
    expect(listed?.metadata?.previousResourceNames).toBeUndefined();
    expect(items.some((p) => p.resourceName === person.resourceName)).toBe(false);
  });

  it('pages through a large change set with page tokens bound to the sync token', async () => {
    const token = await fullSync();
    for (const person of emulator.admin.people().slice(0, 250)) {
      emulator.admin.updatePerson(person.resourceName, { nicknames: [{ value: 'x' }] });
    }
    const first = await api.connections({
      personFields: FIELDS,
      syncToken: token,
      requestSyncToken: true,
      pageSize: 100,
    });
    expect(first.body.connections).toHaveLength(100);
    expect(first.body.totalItems).toBe(250);
    expect(first.body.nextSyncToken).toBeUndefined();
    const { items, bodies } = await api.all('v1/people/me/connections', 'connections', {
      personFields: FIELDS,
      syncToken: token,
      requestSyncToken: true,
      pageSize: 100,
    });
    expect(bodies).toHaveLength(3);
    expect(new Set(items.map((p) => p.resourceName)).size).toBe(250);
  });

  it('never loses a change made while a full sync is being paged (the token stands for the first page)', async () => {
    const first = await api.connections({ personFields: FIELDS, pageSize: 100, requestSyncToken: true });
    const early = (first.body.connections ?? [])[0] as Person;
    emulator.admin.updatePerson(early.resourceName, { nicknames: [{ value: 'changed mid-sync' }] });
    let pageToken = first.body.nextPageToken;
    let syncToken: string | undefined;
    while (pageToken) {
      const page = await api.connections({
        personFields: FIELDS,
        pageSize: 100,
        requestSyncToken: true,
        pageToken,
      });
      pageToken = page.body.nextPageToken;
      syncToken = page.body.nextSyncToken;
    }
    const { items } = await changesSince(syncToken as string);
    expect(items.map((p) => p.resourceName)).toContain(early.resourceName);
  });

  it('binds a sync token to its personFields', async () => {
    const token = await fullSync('names');
    const { status, body } = await api.connections({ personFields: 'names,urls', syncToken: token });
    expect(status).toBe(400);
    expect(body.error?.message).toContain('syncToken does not match');
  });

  it('does not accept a connections token for otherContacts', async () => {
    const token = await fullSync('names');
    const { status } = await api.otherContacts({ readMask: 'names', syncToken: token });
    expect(status).toBe(400);
  });
});

describe('sync tokens: expiry and validation', () => {
  const expiredBody = {
    error: {
      code: 400,
      message: EXPIRED_SYNC_TOKEN_MESSAGE,
      status: 'FAILED_PRECONDITION',
      details: [
        {
          '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
          reason: 'EXPIRED_SYNC_TOKEN',
          domain: 'googleapis.com',
        },
      ],
    },
  };

  it('expires 7 days after issue by the emulator clock, with the exact 400 body', async () => {
    const token = await fullSync();
    emulator.admin.advanceClock(7 * DAY - 1);
    api.renew();
    expect((await api.connections({ personFields: FIELDS, syncToken: token })).status).toBe(200);
    emulator.admin.advanceClock(1);
    const { status, text } = await api.connections({ personFields: FIELDS, syncToken: token });
    expect(status).toBe(400);
    expect(JSON.parse(text)).toEqual(expiredBody);
    expect(text).toBe(JSON.stringify(expiredBody));
  });

  it('honours syncTokenTtlDays', async () => {
    await emulator.close();
    emulator = await startGoogleEmulator({ people: 10, syncTokenTtlDays: 1, clock: createManualClock() });
    api = client(emulator);
    const token = await fullSync();
    emulator.admin.advanceClock(DAY);
    api.renew();
    expect((await api.connections({ personFields: FIELDS, syncToken: token })).body).toEqual(expiredBody);
  });

  it.each([
    ['garbage', 'garbage'],
    ['base64 of nothing useful', 'eyJmb28iOiJiYXIifQAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ['characters outside base64url', 'abc+/=abc+/=abc+/=abc+/=abc+/='],
  ])('refuses %s as a sync token with 400 INVALID_ARGUMENT', async (_name, syncToken) => {
    const { status, body } = await api.connections({ personFields: FIELDS, syncToken });
    expect(status).toBe(400);
    expect(body.error?.status).toBe('INVALID_ARGUMENT');
  });

  it('refuses an edited token (the MAC does not match)', async () => {
    const token = await fullSync();
    // The token is base64url(JSON || 16-byte MAC): rewind its sequence, keep the MAC.
    const bytes = Buffer.from(token, 'base64url');
    const payload = bytes.subarray(0, -16).toString('utf8');
    expect(payload).toMatch(/"q":\d+/);
    const forged = Buffer.concat([Buffer.from(payload.replace(/"q":\d+/, '"q":0')), bytes.subarray(-16)]);
    const { status, body } = await api.connections({
      personFields: FIELDS,
      syncToken: forged.toString('base64url'),
    });
    expect(status).toBe(400);
    expect(body.error?.status).toBe('INVALID_ARGUMENT');
  });

  it('answers a token from another emulator run as expired, so a client falls back to a full sync', async () => {
    const token = await fullSync();
    const other = await startGoogleEmulator({
      seed: 5,
      people: 300,
      otherContacts: 0,
      clock: createManualClock(),
    });
    try {
      const { body } = await client(other).connections({ personFields: FIELDS, syncToken: token });
      expect(body).toEqual(expiredBody);
    } finally {
      await other.close();
    }
  });
});
