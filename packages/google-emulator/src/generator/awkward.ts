import type { ContactGroup, PersonInput } from '../types.js';
import { draftContact, photo } from './contact.js';
import { LOCALES, type Locale } from './locales.js';
import { generatePhone } from './phones.js';
import { EMOJI_NAMES, longText, TEXT_BIRTHDAYS, UNPARSEABLE_PHONES } from './pools.js';
import type { Prng } from './prng.js';

/**
 * The awkward cases the generator mixes in at a steady rate, each one a way real address books
 * break sync code.
 *
 * @example
 * ```ts
 * const book = generateAddressBook({ seed: 1, people: 1000 });
 * book.cases.filter((c) => c.kind === 'duplicate'); // [{ kind: 'duplicate', resourceName, relatedTo }, ...]
 * ```
 */
export type AwkwardCase =
  | 'noName'
  | 'onlyPhone'
  | 'sharedEmail'
  | 'duplicate'
  | 'longValues'
  | 'emoji'
  | 'rightToLeft'
  | 'textOnlyBirthday'
  | 'unparseablePhone';

/**
 * Every {@link AwkwardCase}, in the order the generator cycles through them.
 *
 * @example
 * ```ts
 * for (const kind of AWKWARD_CASES) console.log(kind, book.cases.filter((c) => c.kind === kind).length);
 * ```
 */
export const AWKWARD_CASES: readonly AwkwardCase[] = [
  'noName',
  'onlyPhone',
  'sharedEmail',
  'duplicate',
  'longValues',
  'emoji',
  'rightToLeft',
  'textOnlyBirthday',
  'unparseablePhone',
];

const byId = (id: string): Locale => LOCALES.find((locale) => locale.id === id) as Locale;
const myContacts = [
  {
    contactGroupMembership: {
      contactGroupId: 'myContacts',
      contactGroupResourceName: 'contactGroups/myContacts',
    },
  },
];

/**
 * Drafts one awkward contact. `previous` is the last ordinary contact: the one a duplicate copies
 * and a shared e-mail is taken from.
 */
export function draftAwkward(
  kind: AwkwardCase,
  rng: Prng,
  userGroups: readonly ContactGroup[],
  previous: PersonInput,
): PersonInput {
  switch (kind) {
    case 'noName': {
      const { names: _dropped, nicknames: _alsoDropped, ...rest } = draftContact(rng, userGroups);
      return {
        ...rest,
        emailAddresses: rest.emailAddresses ?? [{ value: `nobody${rng.digits(4)}@example.com` }],
      };
    }
    case 'onlyPhone':
      return {
        phoneNumbers: [
          { ...generatePhone(rng, rng.pick(['US', 'DE', 'IN', 'BR'] as const), 'mobile'), type: 'mobile' },
        ],
        photos: [photo(rng, 1)],
        memberships: myContacts,
      };
    case 'sharedEmail': {
      // A different person who uses the same address (a family or office mailbox).
      const shared = previous.emailAddresses?.[0]?.value ?? 'family@example.com';
      const draft = draftContact(rng, userGroups);
      return { ...draft, emailAddresses: [{ value: shared, type: 'home' }, ...(draft.emailAddresses ?? [])] };
    }
    case 'duplicate':
      return structuredClone(previous);
    case 'longValues': {
      const draft = draftContact(rng, userGroups);
      return {
        ...draft,
        names: [{ givenName: longText('Name'), familyName: draft.names?.[0]?.familyName ?? 'Long' }],
        organizations: [{ name: longText('Company'), title: longText('Title').slice(0, 500), current: true }],
        biographies: [{ value: longText('Note'), contentType: 'TEXT_PLAIN' }],
      };
    }
    case 'emoji': {
      const [givenName, familyName] = rng.pick(EMOJI_NAMES);
      return {
        ...draftContact(rng, userGroups),
        names: [familyName ? { givenName, familyName } : { givenName }],
        nicknames: [{ value: rng.pick(['🦊', '⭐ Star', '👨‍👩‍👧 Dad']) }],
      };
    }
    case 'rightToLeft': {
      // Right-to-left names with Latin and digits mixed in: bidi text in every field.
      const draft = draftContact(rng, userGroups, byId(rng.chance(0.5) ? 'he-IL' : 'ar-SA'));
      return {
        ...draft,
        nicknames: [{ value: rng.pick(['דוד (David)', 'أبو علي 2', 'Dr. סמית׳']) }],
        organizations: [
          {
            name: rng.pick(['שטראוס Group בע"מ', 'شركة Acme للتقنية', 'מיקרוסופט ישראל R&D']),
            current: true,
          },
        ],
      };
    }
    case 'textOnlyBirthday':
      return { ...draftContact(rng, userGroups), birthdays: [{ text: rng.pick(TEXT_BIRTHDAYS) }] };
    case 'unparseablePhone': {
      const draft = draftContact(rng, userGroups);
      // No canonicalForm: Google leaves it out when the value is not a number it can parse.
      return {
        ...draft,
        phoneNumbers: [{ value: rng.pick(UNPARSEABLE_PHONES), type: 'work' }, ...(draft.phoneNumbers ?? [])],
      };
    }
  }
}
