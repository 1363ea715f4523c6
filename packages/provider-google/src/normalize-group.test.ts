import { CanonicalGroup } from '@contacts/core';
import { describe, expect, it } from 'vitest';
import { normalizeGroup } from './normalize-group.js';

describe('normalizeGroup', () => {
  it('names a user group by its name, never by its opaque id (defect 12)', () => {
    const group = normalizeGroup({
      resourceName: 'contactGroups/7f3a2b9c0d1e',
      etag: 'XUr7hIpk1sE=',
      groupType: 'USER_CONTACT_GROUP',
      name: 'Climbing club',
      formattedName: 'Climbing club',
      memberCount: 12,
    });
    expect(CanonicalGroup.parse(group)).toEqual({
      external_id: 'contactGroups/7f3a2b9c0d1e',
      name: 'Climbing club',
      system: false,
      deleted: false,
    });
  });

  it('gives system groups readable, stable names', () => {
    const system = (id: string, formattedName?: string) =>
      normalizeGroup({
        resourceName: `contactGroups/${id}`,
        groupType: 'SYSTEM_CONTACT_GROUP',
        name: id,
        formattedName,
      })?.name;
    expect(system('myContacts', 'Meine Kontakte')).toBe('My Contacts');
    expect(system('starred')).toBe('Starred');
    expect(system('chatBuddies')).toBe('Chat Buddies');
    expect(system('somethingNew', 'Something New')).toBe('Something New');
  });

  it('marks deleted groups and leaves out groups without any name', () => {
    expect(
      normalizeGroup({
        resourceName: 'contactGroups/abc',
        groupType: 'USER_CONTACT_GROUP',
        name: 'Old',
        metadata: { deleted: true },
      })?.deleted,
    ).toBe(true);
    expect(normalizeGroup({ resourceName: 'contactGroups/abc', groupType: 'USER_CONTACT_GROUP' })).toBeNull();
    expect(normalizeGroup({ name: 'No id' })).toBeNull();
  });
});
