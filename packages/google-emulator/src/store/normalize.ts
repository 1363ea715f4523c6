import { PERSON_LIST_FIELDS_IN_ORDER } from '../fields.js';
import { formattedProtocol, formattedType } from '../labels.js';
import type {
  FieldMetadata,
  FieldSource,
  Name,
  Person,
  PersonInput,
  PersonListField,
  PhoneNumber,
} from '../types.js';

const FAMILY_NAME_FIRST = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

/** Fills `displayName`, `displayNameLastFirst` and `unstructuredName` the way Google derives them. */
export function completeName(name: Name): Name {
  const given = [name.givenName, name.middleName].filter(Boolean).join(' ');
  const family = name.familyName ?? '';
  const familyFirst = FAMILY_NAME_FIRST.test(`${given}${family}`);
  const separator = /[\p{Script=Han}\p{Script=Hangul}]/u.test(`${given}${family}`) ? '' : ' ';
  const display = familyFirst
    ? [family, given].filter(Boolean).join(separator)
    : [name.honorificPrefix, given, family, name.honorificSuffix].filter(Boolean).join(' ');
  const lastFirst = familyFirst
    ? [family, given].filter(Boolean).join(' ')
    : family && given
      ? `${family}, ${given}`
      : family || given;
  const out: Name = { ...name };
  if (out.displayName === undefined && display) out.displayName = display;
  if (out.displayNameLastFirst === undefined && lastFirst) out.displayNameLastFirst = lastFirst;
  if (out.unstructuredName === undefined && out.displayName) out.unstructuredName = out.displayName;
  return out;
}

/**
 * E.164 for a number typed in international form (`+44 20 7946 0958`, `0049 30 1234567`); a
 * national number needs the account's region, which the emulator does not guess: it leaves
 * `canonicalForm` absent, as Google does for numbers it cannot parse.
 */
export function canonicalPhone(value: string): string | undefined {
  const match = /^\s*(\+|00)([\d\s().\-/]+)$/.exec(value);
  if (!match?.[2]) return undefined;
  const digits = match[2].replace(/\D/g, '');
  return digits.length >= 8 && digits.length <= 15 && digits[0] !== '0' ? `+${digits}` : undefined;
}

type Entry = { metadata?: FieldMetadata } & Record<string, unknown>;

/** Fills derived values into `entry`, a fresh copy owned by the caller. */
function addLabels(field: PersonListField, entry: Entry): void {
  if (typeof entry.type === 'string' && entry.formattedType === undefined && field !== 'nicknames') {
    entry.formattedType = formattedType(entry.type);
  }
  if (field === 'imClients' && typeof entry.protocol === 'string' && entry.formattedProtocol === undefined) {
    entry.formattedProtocol = formattedProtocol(entry.protocol);
  }
  if (field === 'phoneNumbers') {
    const phone = entry as PhoneNumber;
    if (phone.canonicalForm === undefined && phone.value) {
      const canonical = canonicalPhone(phone.value);
      if (canonical) phone.canonicalForm = canonical;
    }
  }
  if (field === 'names') Object.assign(entry, completeName(entry as Name));
  if (field === 'memberships') {
    const membership = entry.contactGroupMembership as
      | { contactGroupId?: string; contactGroupResourceName?: string }
      | undefined;
    if (membership) {
      const id =
        membership.contactGroupId ?? membership.contactGroupResourceName?.replace(/^contactGroups\//, '');
      entry.contactGroupMembership = { contactGroupId: id, contactGroupResourceName: `contactGroups/${id}` };
    }
  }
}

/**
 * Puts admin input into the shape Google serves: every entry carries its source, exactly one
 * entry of each list is primary (the one marked so, else the first), and derived values
 * (display names, `formattedType`, `canonicalForm` of international numbers) are filled in.
 * Returns the lists given; an empty list means "clear this field". The metadata objects are
 * shared between entries (25,000 generated people allocate a lot less): treat them as read-only.
 */
export function normalizePersonInput(input: PersonInput, source: FieldSource): PersonInput {
  const sharedSource: FieldSource = { type: source.type, id: source.id };
  const primary: FieldMetadata = { primary: true, sourcePrimary: true, source: sharedSource };
  const secondary: FieldMetadata = { source: sharedSource };
  const out: Record<string, Entry[]> = {};
  for (const field of PERSON_LIST_FIELDS_IN_ORDER) {
    const entries = input[field] as Entry[] | undefined;
    if (entries === undefined) continue;
    let primaryIndex = entries.findIndex((entry) => entry.metadata?.primary === true);
    if (primaryIndex < 0) primaryIndex = 0;
    out[field] = entries.map((entry, index) => {
      // `metadata` first, where Google's JSON has it; then the entry's own values.
      const copy: Entry = { metadata: index === primaryIndex ? primary : secondary, ...entry };
      copy.metadata = index === primaryIndex ? primary : secondary;
      addLabels(field, copy);
      return copy;
    });
  }
  return out as PersonInput;
}

/** The field lists of a person, without `resourceName`, `etag` and `metadata`. */
export function personFields(person: Person): PersonInput {
  const out: Record<string, unknown> = {};
  for (const field of PERSON_LIST_FIELDS_IN_ORDER) {
    if (person[field] !== undefined) out[field] = person[field];
  }
  return out as PersonInput;
}
