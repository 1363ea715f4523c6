import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../clock.js';
import { type GoogleEmulator, startGoogleEmulator } from '../server.js';
import { type Answer, call, client } from '../test-support.js';
import type { Person } from '../types.js';

let emulator: GoogleEmulator;

beforeAll(async () => {
  emulator = await startGoogleEmulator({
    seed: 4,
    people: 20,
    otherContacts: 5,
    clock: createManualClock(Date.UTC(2025, 5, 1)),
  });
});
afterAll(() => emulator.close());

function admin(method: string, path: string, body?: unknown): Promise<Answer> {
  return call(emulator.adminUrl, path, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
}

describe('admin API over HTTP (/__admin, JSON, no auth)', () => {
  it('lists its routes', async () => {
    const { status, body } = await admin('GET', '/__admin');
    expect(status).toBe(200);
    expect(body.routes).toContain('GET|POST|DELETE /__admin/faults');
  });

  it('adds, edits, renames and deletes a person, visible to a sync', async () => {
    const api = client(emulator);
    const { nextSyncToken } = await api.all('v1/people/me/connections', 'connections', {
      personFields: 'names,phoneNumbers,metadata',
      requestSyncToken: true,
    });

    const created = await admin('POST', '/__admin/people', {
      names: [{ givenName: 'Grace', familyName: 'Hopper' }],
      phoneNumbers: [{ value: '+1 (212) 555-0100', type: 'work' }],
    });
    expect(created.status).toBe(201);
    const person = created.body as unknown as Person;
    expect(person.names?.[0]).toMatchObject({
      displayName: 'Grace Hopper',
      displayNameLastFirst: 'Hopper, Grace',
    });
    expect(person.phoneNumbers?.[0]).toMatchObject({ canonicalForm: '+12125550100', formattedType: 'Work' });
    expect(person.memberships?.[0]?.contactGroupMembership?.contactGroupId).toBe('myContacts');
    const id = person.resourceName.slice('people/'.length);

    const patched = (
      await admin('PATCH', `/__admin/people/${id}`, { nicknames: [{ value: 'Amazing Grace' }] })
    ).body as unknown as Person;
    expect(patched.etag).not.toBe(person.etag);
    expect(patched.names).toEqual(person.names);
    expect(patched.nicknames?.[0]?.value).toBe('Amazing Grace');

    const renamed = (await admin('POST', `/__admin/people/${id}/rename`, {})).body as unknown as Person;
    expect(renamed.metadata?.previousResourceNames).toEqual([person.resourceName]);
    // The former name still finds the person.
    expect((await admin('GET', `/__admin/people/${id}`)).body.resourceName).toBe(renamed.resourceName);

    const gone = await admin('DELETE', `/__admin/${renamed.resourceName}`);
    expect(gone.body.metadata).toMatchObject({ deleted: true });
    expect((await admin('GET', '/__admin/people')).body.people).toHaveLength(20);
    expect((await admin('GET', '/__admin/people?includeDeleted=true')).body.people).toHaveLength(21);

    const changes = await api.all('v1/people/me/connections', 'connections', {
      personFields: 'names,phoneNumbers,metadata',
      syncToken: nextSyncToken,
      requestSyncToken: true,
    });
    expect(changes.items).toEqual([
      {
        resourceName: renamed.resourceName,
        etag: expect.any(String),
        metadata: expect.objectContaining({ deleted: true }),
      },
    ]);
  });

  it('answers bad input with 400 and unknown people with 404', async () => {
    expect((await admin('POST', '/__admin/people', { names: 'Ada' })).status).toBe(400);
    expect((await admin('POST', '/__admin/people', { nickname: [] })).status).toBe(400);
    expect((await admin('PATCH', '/__admin/people/c1', { names: [] })).status).toBe(404);
    expect((await admin('POST', '/__admin/faults', { kind: 'nope' })).status).toBe(400);
    const broken = await call(emulator.adminUrl, '/__admin/people', { method: 'POST', body: '{' });
    expect(broken.status).toBe(400);
    expect((await admin('GET', '/__admin/nothing')).status).toBe(404);
  });

  it('manages other contacts and groups', async () => {
    const other = await admin('POST', '/__admin/otherContacts', {
      emailAddresses: [{ value: 'x@example.org' }],
    });
    expect(other.status).toBe(201);
    expect(other.body.resourceName).toMatch(/^otherContacts\/c\d+$/);
    const group = await admin('POST', '/__admin/contactGroups', { name: 'Orchestra' });
    expect(group.body).toMatchObject({ groupType: 'USER_CONTACT_GROUP', name: 'Orchestra' });
    const groupId = String(group.body.resourceName).slice('contactGroups/'.length);
    expect((await admin('DELETE', `/__admin/contactGroups/${groupId}`)).status).toBe(200);
    const groups = (await admin('GET', '/__admin/contactGroups')).body.contactGroups as { name: string }[];
    expect(groups.map((g) => g.name)).not.toContain('Orchestra');
  });

  it('advances the clock and manages OAuth state', async () => {
    const before = (await admin('GET', '/__admin/clock')).body;
    expect(before).toEqual({ now: Date.UTC(2025, 5, 1), iso: '2025-06-01T00:00:00.000Z' });
    expect((await admin('POST', '/__admin/clock/advance', { ms: 1000 })).body.now).toBe(
      Date.UTC(2025, 5, 1) + 1000,
    );
    expect((await admin('GET', '/__admin/credentials')).body).toEqual(emulator.credentials);
    const grant = (await admin('POST', '/__admin/oauth/access-token')).body;
    expect(grant.accessToken).toMatch(/^ya29\./);
    await admin('POST', '/__admin/oauth/revoke', {});
    const rotated = (await admin('POST', '/__admin/oauth/rotate', { refreshToken: '1//fresh' })).body;
    expect(rotated).toEqual({ refreshToken: '1//fresh' });
    expect(emulator.credentials.refreshToken).toBe('1//fresh');
  });

  it('injects faults and reports request counts', async () => {
    await admin('DELETE', '/__admin/requests');
    const fault = await admin('POST', '/__admin/faults', {
      kind: 'rateLimit',
      endpoint: 'contactGroups',
      times: 2,
    });
    expect(fault.status).toBe(201);
    expect(fault.body).toMatchObject({ id: expect.any(String), remaining: 2, endpoint: 'contactGroups' });
    const api = client(emulator);
    expect((await api.contactGroups()).status).toBe(429);
    expect((await admin('GET', '/__admin/faults')).body.faults).toHaveLength(1);
    await admin('DELETE', '/__admin/faults');
    expect((await api.contactGroups()).status).toBe(200);
    const { body } = await admin('GET', '/__admin/requests?endpoint=contactGroups');
    expect(body.counts).toMatchObject({ contactGroups: 2, connections: 0 });
    expect(body.total).toBe(2);
    expect((body.requests as { status: number }[]).map((r) => r.status)).toEqual([429, 200]);
    expect((await admin('GET', '/__admin/requests?endpoint=bogus')).status).toBe(400);
  });
});
