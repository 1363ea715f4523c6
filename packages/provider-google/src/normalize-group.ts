import type { CanonicalGroup } from '@contacts/core';
import type { people_v1 } from '@googleapis/people';
import { record, text } from './read-json.js';

// Google's system groups, by id, with the names its own UI shows. Their `formattedName` is
// localised to the account's language, which would rename labels when a user switches language.
const SYSTEM_GROUP_NAMES: Record<string, string> = {
  myContacts: 'My Contacts',
  starred: 'Starred',
  friends: 'Friends',
  family: 'Family',
  coworkers: 'Coworkers',
  chatBuddies: 'Chat Buddies',
  all: 'All Contacts',
  blocked: 'Blocked',
};

/**
 * A `contactGroups.list` entry as a {@link CanonicalGroup}, or null when it has no name a person
 * would recognise. A user group's resource name is an opaque id (`contactGroups/7f3a2b9c0d1e`), so
 * its label comes from `name` (then `formattedName`) and never from the id; a system group gets a
 * readable, stable English name.
 *
 * @example
 * ```ts
 * normalizeGroup({ resourceName: 'contactGroups/7f3a', groupType: 'USER_CONTACT_GROUP', name: 'Climbing club' });
 * // { external_id: 'contactGroups/7f3a', name: 'Climbing club', system: false, deleted: false }
 * normalizeGroup({ resourceName: 'contactGroups/starred', groupType: 'SYSTEM_CONTACT_GROUP', name: 'starred' });
 * // { external_id: 'contactGroups/starred', name: 'Starred', system: true, deleted: false }
 * ```
 */
export function normalizeGroup(group: people_v1.Schema$ContactGroup): CanonicalGroup | null {
  const payload = record(group) ?? {};
  const externalId = text(payload.resourceName);
  if (!externalId) return null;
  const system = payload.groupType === 'SYSTEM_CONTACT_GROUP';
  const deleted = record(payload.metadata)?.deleted === true;
  const id = externalId.replace(/^contactGroups\//, '');
  const name = system
    ? (SYSTEM_GROUP_NAMES[id] ?? text(payload.formattedName) ?? text(payload.name))
    : (text(payload.name) ?? text(payload.formattedName));
  return name ? { external_id: externalId, name, system, deleted } : null;
}
