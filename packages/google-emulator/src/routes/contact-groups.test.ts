import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../clock.js';
import { type GoogleEmulator, startGoogleEmulator } from '../server.js';
import { client } from '../test-support.js';
import type { ContactGroup, Person } from '../types.js';

let emulator: GoogleEmulator;
let api: ReturnType<typeof client>;

beforeAll(async () => {
  emulator = await startGoogleEmulator({ seed: 8, people: 400, clock: createManualClock() });
  api = client(emulator);
});
afterAll(() => emulator.close());

describe('contactGroups.list', () => {
  it('lists system groups and user groups with opaque ids and human names', async () => {
    const { status, body } = await api.contactGroups();
    expect(status).toBe(200);
    const groups = body.contactGroups ?? [];
    const byName = new Map(groups.map((g) => [g.resourceName, g]));
    expect(byName.get('contactGroups/myContacts')).toMatchObject({
      groupType: 'SYSTEM_CONTACT_GROUP',
      name: 'myContacts',
      formattedName: 'My Contacts',
      memberCount: 400,
    });
    for (const id of ['starred', 'friends', 'family', 'coworkers'])
      expect(byName.has(`contactGroups/${id}`)).toBe(true);
    const user = groups.filter((g) => g.groupType === 'USER_CONTACT_GROUP');
    expect(user.length).toBeGreaterThanOrEqual(4);
    for (const group of user) {
      expect(group.resourceName).toMatch(/^contactGroups\/[0-9a-f]{12}$/);
      expect(group.name).toEqual(expect.any(String));
      expect(group.name).not.toBe(group.resourceName.slice('contactGroups/'.length));
      expect(group.etag).toEqual(expect.any(String));
      expect(group.metadata?.updateTime).toMatch(/Z$/);
    }
    expect(body.totalItems).toBe(groups.length);
    expect(body.nextSyncToken).toEqual(expect.any(String));
  });

  it('counts members from the people’s memberships', async () => {
    const { body } = await api.contactGroups();
    const people = emulator.admin.people();
    for (const group of body.contactGroups ?? []) {
      const id = group.resourceName.slice('contactGroups/'.length);
      const members = people.filter((p) =>
        p.memberships?.some((m) => m.contactGroupMembership?.contactGroupId === id),
      ).length;
      expect(group.memberCount ?? 0).toBe(members);
    }
  });

  it('defaults pageSize to 30, bounds it to 1..1000 and pages with tokens', async () => {
    expect((await api.contactGroups({ pageSize: 0 })).status).toBe(400);
    expect((await api.contactGroups({ pageSize: 1001 })).status).toBe(400);
    const { items, bodies } = await api.all('v1/contactGroups', 'contactGroups', { pageSize: 3 });
    const all = (await api.contactGroups()).body.contactGroups ?? [];
    expect(items.map((g) => g.resourceName)).toEqual(all.map((g) => g.resourceName));
    expect(bodies.slice(0, -1).every((b) => b.nextSyncToken === undefined)).toBe(true);
  });

  it('honours groupFields', async () => {
    const { body } = await api.contactGroups({ groupFields: 'name' });
    for (const group of body.contactGroups ?? []) {
      expect(Object.keys(group).sort()).toEqual(['etag', 'formattedName', 'name', 'resourceName']);
    }
    expect((await api.contactGroups({ groupFields: 'members' })).status).toBe(400);
  });

  it('syncs added and deleted groups; deleting a group changes its members', async () => {
    const { body } = await api.contactGroups();
    const token = body.nextSyncToken as string;
    const peopleToken = (
      await api.all('v1/people/me/connections', 'connections', {
        personFields: 'memberships',
        pageSize: 1000,
        requestSyncToken: true,
      })
    ).nextSyncToken as string;

    const added = emulator.admin.addGroup('Chor');
    const member = emulator.admin.people()[0] as Person;
    emulator.admin.updatePerson(member.resourceName, {
      memberships: [
        ...(member.memberships ?? []),
        { contactGroupMembership: { contactGroupId: added.resourceName.slice(14) } },
      ],
    });
    expect(emulator.admin.groups().find((g) => g.resourceName === added.resourceName)?.memberCount).toBe(1);
    emulator.admin.removeGroup(added.resourceName);

    const changes = await api.contactGroups({ syncToken: token });
    expect(changes.body.contactGroups).toEqual([
      {
        resourceName: added.resourceName,
        etag: expect.any(String),
        metadata: { updateTime: expect.any(String), deleted: true },
      },
    ]);
    const people = await api.all('v1/people/me/connections', 'connections', {
      personFields: 'memberships',
      syncToken: peopleToken,
      requestSyncToken: true,
    });
    const changed = people.items[0] as Person;
    expect(changed.resourceName).toBe(member.resourceName);
    expect(changed.memberships?.map((m) => m.contactGroupMembership?.contactGroupResourceName)).not.toContain(
      added.resourceName,
    );
  });

  it('refuses to delete a system group or add an unknown membership', () => {
    expect(() => emulator.admin.removeGroup('contactGroups/myContacts')).toThrowError(/system group/);
    expect(() =>
      emulator.admin.addPerson({ memberships: [{ contactGroupMembership: { contactGroupId: 'nope' } }] }),
    ).toThrowError(/unknown contact group/);
  });

  it('gives every person membership entries in Google’s shape', async () => {
    const { body } = await api.connections({ personFields: 'memberships', pageSize: 50 });
    const groups = new Map(
      ((await api.contactGroups()).body.contactGroups ?? []).map((g: ContactGroup) => [g.resourceName, g]),
    );
    for (const person of body.connections ?? []) {
      for (const membership of person.memberships ?? []) {
        const { contactGroupId, contactGroupResourceName } = membership.contactGroupMembership ?? {};
        expect(contactGroupResourceName).toBe(`contactGroups/${contactGroupId}`);
        expect(groups.has(contactGroupResourceName as string)).toBe(true);
      }
    }
  });
});
