import { googleTimestamp } from '../clock.js';
import { etagsFor } from '../etag.js';
import type { ContactGroup } from '../types.js';
import { USER_GROUP_NAMES } from './pools.js';
import type { Prng } from './prng.js';

// System groups every account has. myContacts and starred are current; the rest are deprecated
// but still listed by contactGroups.list.
const SYSTEM_GROUPS: readonly (readonly [id: string, formattedName: string])[] = [
  ['myContacts', 'My Contacts'],
  ['starred', 'Starred'],
  ['friends', 'Friends'],
  ['family', 'Family'],
  ['coworkers', 'Coworkers'],
  ['chatBuddies', 'Chat contacts'],
  ['all', 'All Contacts'],
  ['blocked', 'Blocked'],
];

function group(
  id: string,
  groupType: ContactGroup['groupType'],
  name: string,
  formattedName: string,
  time: number,
): ContactGroup {
  return {
    resourceName: `contactGroups/${id}`,
    etag: etagsFor(`group:${id}`, 1).sourceEtag.slice(1),
    metadata: { updateTime: googleTimestamp(time, 271) },
    groupType,
    name,
    formattedName,
  };
}

/** The system groups, then `count` user groups with opaque 12-hex-digit ids and human names. */
export function generateGroups(rng: Prng, count: number, baseTime: number): ContactGroup[] {
  const system = SYSTEM_GROUPS.map(([id, formatted]) =>
    group(id, 'SYSTEM_CONTACT_GROUP', id, formatted, baseTime),
  );
  const names = [...USER_GROUP_NAMES];
  const ids = new Set<string>();
  const user: ContactGroup[] = [];
  for (let i = 0; i < count; i++) {
    const base = names.splice(Math.floor(rng.next() * names.length), 1)[0];
    const name = base ?? `Group ${i + 1}`;
    let id = rng.hex(12);
    while (ids.has(id)) id = rng.hex(12);
    ids.add(id);
    const time = baseTime - rng.int(0, 3 * 365) * 86_400_000;
    user.push(group(id, 'USER_CONTACT_GROUP', name, name, time));
  }
  return [...system, ...user];
}
