import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../clock.js';
import { type GoogleEmulator, startGoogleEmulator } from '../server.js';
import { client } from '../test-support.js';
import type { Person } from '../types.js';

let emulator: GoogleEmulator;
let api: ReturnType<typeof client>;

beforeAll(async () => {
  emulator = await startGoogleEmulator({
    seed: 11,
    people: 2_500,
    otherContacts: 0,
    clock: createManualClock(),
  });
  api = client(emulator);
});
afterAll(() => emulator.close());

describe('people.connections.list: personFields', () => {
  it('is required: a missing or empty mask is a 400 INVALID_ARGUMENT in Google shape', async () => {
    for (const params of [{}, { personFields: '' }, { personFields: ' , ' }]) {
      const { status, body } = await api.connections(params);
      expect(status).toBe(400);
      expect(body.error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
      expect(body.error?.message).toContain('personFields mask is required');
    }
  });

  it('rejects an unknown path, naming it', async () => {
    const { status, body } = await api.connections({ personFields: 'names,nickNames' });
    expect(status).toBe(400);
    expect(body.error?.message).toContain('"nickNames"');
  });

  it('returns only the requested fields, plus resourceName and etag', async () => {
    const { body } = await api.connections({ personFields: 'names', pageSize: 50 });
    expect(body.connections).toHaveLength(50);
    for (const person of body.connections ?? []) {
      expect(Object.keys(person).every((key) => ['resourceName', 'etag', 'names'].includes(key))).toBe(true);
      expect(person.resourceName).toMatch(/^people\/c\d+$/);
      expect(person.etag).toMatch(/^%/);
    }
  });

  it('accepts comma-separated and repeated parameters alike (gaxios sends arrays repeated)', async () => {
    const comma = await api.connections({ personFields: 'names,emailAddresses,metadata', pageSize: 20 });
    const repeated = await api.connections({
      personFields: ['names', 'emailAddresses', 'metadata'],
      pageSize: 20,
    });
    const mixed = await api.connections({ personFields: ['names,emailAddresses', 'metadata'], pageSize: 20 });
    expect(repeated.text).toBe(comma.text);
    expect(mixed.text).toBe(comma.text);
    expect(comma.body.connections?.some((p) => p.emailAddresses)).toBe(true);
    expect(comma.body.connections?.every((p) => p.metadata?.sources?.[0]?.type === 'CONTACT')).toBe(true);
  });

  it('returns nicknames only when asked for them (prior-art defect 8)', async () => {
    const without = await api.connections({ personFields: 'names', pageSize: 1000 });
    const withNicknames = await api.connections({ personFields: 'names,nicknames', pageSize: 1000 });
    expect(without.body.connections?.some((p) => p.nicknames)).toBe(false);
    expect(withNicknames.body.connections?.some((p) => p.nicknames)).toBe(true);
  });

  it('refuses unknown query parameters the way Google does (a misspelt parameter fails loudly)', async () => {
    const { status, body } = await api.connections({ personFields: 'names', person_field: 'names' });
    expect(status).toBe(400);
    expect(body.error?.message).toContain('Unknown name "person_field"');
  });

  it('accepts the snake_case spelling of known parameters, as Google does', async () => {
    const { status, body } = await api.connections({ person_fields: 'names', page_size: 3 });
    expect(status).toBe(200);
    expect(body.connections).toHaveLength(3);
  });

  it('serves only people/me', async () => {
    const { status, body } = await api.get('v1/people/c123/connections', { personFields: 'names' });
    expect(status).toBe(400);
    expect(body.error?.status).toBe('INVALID_ARGUMENT');
  });

  it('answers unknown paths with Google 404', async () => {
    const { status, body } = await api.get('v1/people/me/connexions');
    expect(status).toBe(404);
    expect(body.error).toEqual({
      code: 404,
      message: 'Requested entity was not found.',
      status: 'NOT_FOUND',
    });
  });
});

describe('people.connections.list: paging', () => {
  it('defaults pageSize to 100 and reports totalItems/totalPeople', async () => {
    const { body } = await api.connections({ personFields: 'names' });
    expect(body.connections).toHaveLength(100);
    expect(body.totalItems).toBe(2_500);
    expect(body.totalPeople).toBe(2_500);
    expect(body.nextPageToken).toEqual(expect.any(String));
  });

  it.each([0, -1, 1001, 5000])('refuses pageSize %i', async (pageSize) => {
    const { status, body } = await api.connections({ personFields: 'names', pageSize });
    expect(status).toBe(400);
    expect(body.error?.status).toBe('INVALID_ARGUMENT');
  });

  it('refuses a non-numeric pageSize', async () => {
    const { status, body } = await api.connections({ personFields: 'names', pageSize: 'ten' });
    expect(status).toBe(400);
    expect(body.error?.message).toBe(`Invalid value at 'page_size' (TYPE_INT32), "ten"`);
  });

  it.each([1, 1000])('accepts pageSize %i', async (pageSize) => {
    const { status, body } = await api.connections({ personFields: 'names', pageSize });
    expect(status).toBe(200);
    expect(body.connections).toHaveLength(pageSize);
  });

  it('lists 2,500 people over 3 pages of 1,000, each exactly once, token only on the last page', async () => {
    const { items, bodies, nextSyncToken } = await api.all('v1/people/me/connections', 'connections', {
      personFields: 'names,emailAddresses',
      pageSize: 1000,
      requestSyncToken: true,
    });
    expect(bodies.map((b) => b.connections?.length)).toEqual([1000, 1000, 500]);
    expect(new Set(items.map((p) => p.resourceName)).size).toBe(2_500);
    expect(bodies.slice(0, -1).every((b) => b.nextSyncToken === undefined && b.nextPageToken)).toBe(true);
    expect(bodies.at(-1)?.nextPageToken).toBeUndefined();
    expect(nextSyncToken).toEqual(expect.any(String));
  });

  it('gives no nextSyncToken without requestSyncToken=true', async () => {
    const { body } = await api.connections({ personFields: 'names', pageSize: 1000, pageToken: undefined });
    expect(body.nextSyncToken).toBeUndefined();
    const last = await api.all('v1/people/me/connections', 'connections', {
      personFields: 'names',
      pageSize: 1000,
    });
    expect(last.nextSyncToken).toBeUndefined();
  });

  it.each([
    ['personFields', { personFields: 'names,urls' }],
    ['pageSize', { pageSize: 11 }],
    ['sortOrder', { sortOrder: 'LAST_MODIFIED_DESCENDING' }],
    ['requestSyncToken', { requestSyncToken: true }],
    ['sources', { sources: 'READ_SOURCE_TYPE_CONTACT' }],
  ])('binds a page token to its parameters: a changed %s is a 400', async (_name, change) => {
    const base = { personFields: 'names', pageSize: 10 };
    const first = await api.connections(base);
    const { status, body } = await api.connections({
      ...base,
      ...change,
      pageToken: first.body.nextPageToken,
    });
    expect(status).toBe(400);
    expect(body.error?.status).toBe('INVALID_ARGUMENT');
    expect(body.error?.message).toContain('pageToken does not match');
  });

  it('treats the same mask in another order as the same parameters', async () => {
    const first = await api.connections({ personFields: 'names,emailAddresses', pageSize: 10 });
    const next = await api.connections({
      personFields: ['emailAddresses', 'names'],
      pageSize: 10,
      pageToken: first.body.nextPageToken,
    });
    expect(next.status).toBe(200);
  });

  it('refuses a page token used with a syncToken it was not issued with', async () => {
    const full = await api.all('v1/people/me/connections', 'connections', {
      personFields: 'names',
      pageSize: 1000,
      requestSyncToken: true,
    });
    const first = await api.connections({ personFields: 'names', pageSize: 10 });
    const { status } = await api.connections({
      personFields: 'names',
      pageSize: 10,
      syncToken: full.nextSyncToken,
      pageToken: first.body.nextPageToken,
    });
    expect(status).toBe(400);
  });

  it.each(['garbage', 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'not a token!'])(
    'refuses a garbage page token %j with 400',
    async (pageToken) => {
      const { status, body } = await api.connections({ personFields: 'names', pageToken });
      expect(status).toBe(400);
      expect(body.error?.status).toBe('INVALID_ARGUMENT');
    },
  );

  it('refuses a page token from another list method', async () => {
    const groups = await api.contactGroups({ pageSize: 1 });
    const { status } = await api.connections({ personFields: 'names', pageToken: groups.body.nextPageToken });
    expect(status).toBe(400);
  });

  it.each([
    'LAST_MODIFIED_ASCENDING',
    'LAST_MODIFIED_DESCENDING',
    'FIRST_NAME_ASCENDING',
    'LAST_NAME_ASCENDING',
  ])('pages through sortOrder %s completely, without repeats', async (sortOrder) => {
    const { items } = await api.all('v1/people/me/connections', 'connections', {
      personFields: 'names',
      pageSize: 700,
      sortOrder,
    });
    expect(items).toHaveLength(2_500);
    expect(new Set(items.map((p) => p.resourceName)).size).toBe(2_500);
    if (sortOrder === 'LAST_NAME_ASCENDING') {
      const families = (items as Person[]).map((p) => p.names?.[0]?.familyName?.toLowerCase() ?? '\uffff');
      expect(families).toEqual([...families].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    }
  });

  it('refuses an unknown sortOrder', async () => {
    const { status } = await api.connections({ personFields: 'names', sortOrder: 'ALPHABETICAL' });
    expect(status).toBe(400);
  });

  it('keeps a full listing exact when people are added and deleted between pages', async () => {
    const first = await api.connections({ personFields: 'names', pageSize: 1000 });
    const seen = new Set((first.body.connections ?? []).map((p) => p.resourceName));
    const added = emulator.admin.addPerson({ names: [{ givenName: 'Late', familyName: 'Arrival' }] });
    const laterPerson = emulator.admin.people()[1_500] as Person;
    emulator.admin.deletePerson(laterPerson.resourceName);
    let pageToken = first.body.nextPageToken;
    while (pageToken) {
      const page = await api.connections({ personFields: 'names', pageSize: 1000, pageToken });
      for (const p of page.body.connections ?? []) {
        expect(seen.has(p.resourceName)).toBe(false);
        seen.add(p.resourceName);
      }
      pageToken = page.body.nextPageToken;
    }
    expect(seen.has(added.resourceName)).toBe(true);
    expect(seen.has(laterPerson.resourceName)).toBe(false);
    expect(seen.size).toBe(2_500);
  });

  // The time a page takes is measured by `pnpm bench`, not asserted here (timed tests flake).
  it('serves a 1,000-person page with every field', async () => {
    const params = {
      personFields:
        'names,emailAddresses,phoneNumbers,addresses,organizations,birthdays,memberships,metadata',
      pageSize: 1000,
    };
    const { status, body } = await api.connections(params);
    expect(status).toBe(200);
    expect(body.connections).toHaveLength(1000);
    expect(emulator.admin.requests('connections').at(-1)?.durationMs).toBeGreaterThanOrEqual(0);
  });
});
