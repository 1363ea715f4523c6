import { EmulatorError } from '../errors.js';
import { assemblePerson, resourceNameFor } from '../person-shape.js';
import { normalizePersonInput } from '../store/normalize.js';
import type { ContactGroup, Person, PersonInput, SourceType } from '../types.js';
import { AWKWARD_CASES, type AwkwardCase, draftAwkward } from './awkward.js';
import { draftContact, draftOtherContact } from './contact.js';
import { generateGroups } from './groups.js';
import { Prng } from './prng.js';

/**
 * Options of {@link generateAddressBook}.
 *
 * @example
 * ```ts
 * const options: GenerateAddressBookOptions = { seed: 42, people: 1000, otherContacts: 200 };
 * ```
 */
export interface GenerateAddressBookOptions {
  /** Any safe integer; the same seed always gives the same book. */
  seed: number;
  /** Number of contacts (`people/c…`). */
  people: number;
  /** Number of other contacts (`otherContacts/c…`); default a quarter of `people`. */
  otherContacts?: number;
  /** Number of user contact groups; default 4 plus one per 500 people, at most 14. */
  userGroups?: number;
  /** One awkward case every this many people (default 37; 0 for none). */
  awkwardEvery?: number;
  /** The time the book's update times lie before (default 2025-01-01T00:00:00Z). Not read from a clock. */
  now?: number;
}

/**
 * Where an awkward case landed. `relatedTo` names the other person of a pair: the original of a
 * `duplicate`, or the person whose e-mail a `sharedEmail` person shares.
 *
 * @example
 * ```ts
 * const dup = book.cases.find((c) => c.kind === 'duplicate'); // { kind, resourceName, relatedTo }
 * ```
 */
export interface AwkwardCaseEntry {
  kind: AwkwardCase;
  resourceName: string;
  relatedTo?: string;
}

/**
 * A generated address book: people and other contacts in Google's full shape (every field, as
 * `personFields` with all paths would return them), the contact groups, and an index of the
 * awkward cases mixed in.
 *
 * @example
 * ```ts
 * const book: AddressBook = generateAddressBook({ seed: 7, people: 100 });
 * book.people[0]?.names?.[0]?.displayName;
 * ```
 */
export interface AddressBook {
  seed: number;
  people: Person[];
  otherContacts: Person[];
  contactGroups: ContactGroup[];
  cases: AwkwardCaseEntry[];
}

const DAY_MS = 86_400_000;

function checkCount(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new EmulatorError(
      'INVALID_OPTIONS',
      `${name} must be a non-negative integer; got ${String(value)}.`,
    );
  }
  return value;
}

function newId(rng: Prng, taken: Set<string>): string {
  for (;;) {
    // 16 hex digits below 2^63, like Google's contact ids.
    const id = `${rng.int(1, 7).toString(16)}${rng.hex(15)}`;
    if (!taken.has(id)) {
      taken.add(id);
      return id;
    }
  }
}

/**
 * Generates a realistic address book, deterministically from `seed` (no `Math.random`, no clock):
 * international names in many scripts, numbers in local formats with matching E.164
 * `canonicalForm`, addresses with `countryCode`, birthdays with and without year, groups, and the
 * awkward cases (see {@link AwkwardCase}) at a steady rate. People come from their own random
 * stream, so the first 100 people of a 1,000-person book equal a 100-person book of that seed
 * (given the same `userGroups`).
 *
 * @example
 * ```ts
 * const book = generateAddressBook({ seed: 1, people: 25_000 });
 * const emulator = await startGoogleEmulator({ book });
 * ```
 */
export function generateAddressBook(options: GenerateAddressBookOptions): AddressBook {
  const seed = options.seed;
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) {
    throw new EmulatorError('INVALID_OPTIONS', `seed must be a safe integer; got ${String(seed)}.`);
  }
  const peopleCount = checkCount('people', options.people);
  const otherCount = checkCount('otherContacts', options.otherContacts ?? Math.floor(peopleCount / 4));
  const groupCount = checkCount(
    'userGroups',
    options.userGroups ?? Math.min(14, 4 + Math.floor(peopleCount / 500)),
  );
  const every = checkCount('awkwardEvery', options.awkwardEvery ?? 37);
  const now = options.now ?? Date.UTC(2025, 0, 1);

  // One stream per part, so the number of other contacts does not change the people.
  const groupRng = new Prng(seed * 4);
  const peopleRng = new Prng(seed * 4 + 1);
  const otherRng = new Prng(seed * 4 + 2);
  const scheduleRng = new Prng(seed * 4 + 3);
  const contactGroups = generateGroups(groupRng, groupCount, now);
  const userGroups = contactGroups.filter((group) => group.groupType === 'USER_CONTACT_GROUP');

  const taken = new Set<string>();
  const finish = (rng: Prng, sourceType: SourceType, input: PersonInput): Person => {
    const id = newId(rng, taken);
    return assemblePerson({
      sourceType,
      id,
      resourceName: resourceNameFor(sourceType, id),
      version: 1,
      updateTimeMs: now - Math.floor(rng.next() * 5 * 365 * DAY_MS),
      fields: normalizePersonInput(input, { type: sourceType, id }),
    });
  };

  const people: Person[] = [];
  const cases: AwkwardCaseEntry[] = [];
  // An address belongs to one person: common names must not make two people share one by
  // accident (only the `sharedEmail` awkward case shares one, on purpose).
  const usedEmails = new Set<string>();
  const firstAwkward = 5 + scheduleRng.int(0, 9);
  const firstKind = scheduleRng.int(0, AWKWARD_CASES.length - 1);
  let previous: { input: PersonInput; resourceName: string } | undefined;
  let previousWithEmail: { input: PersonInput; resourceName: string } | undefined;
  for (let i = 0; i < peopleCount; i++) {
    const awkward = every > 0 && i >= firstAwkward && (i - firstAwkward) % every === 0;
    if (!awkward) {
      const input = uniqueEmails(draftContact(peopleRng, userGroups), usedEmails);
      const person = finish(peopleRng, 'CONTACT', input);
      people.push(person);
      previous = { input, resourceName: person.resourceName };
      if (input.emailAddresses?.length) previousWithEmail = previous;
      continue;
    }
    const kind = AWKWARD_CASES[
      (firstKind + (i - firstAwkward) / every) % AWKWARD_CASES.length
    ] as AwkwardCase;
    const related = kind === 'duplicate' ? previous : kind === 'sharedEmail' ? previousWithEmail : undefined;
    const input = draftAwkward(kind, peopleRng, userGroups, related?.input ?? {});
    const person = finish(peopleRng, 'CONTACT', input);
    people.push(person);
    cases.push({
      kind,
      resourceName: person.resourceName,
      ...(related ? { relatedTo: related.resourceName } : {}),
    });
  }

  const otherContacts = Array.from({ length: otherCount }, () =>
    finish(otherRng, 'OTHER_CONTACT', draftOtherContact(otherRng)),
  );

  const counts = new Map<string, number>();
  for (const person of people) {
    for (const membership of person.memberships ?? []) {
      const id = membership.contactGroupMembership?.contactGroupId;
      if (id) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
  }
  for (const group of contactGroups) {
    const count = counts.get(group.resourceName.slice('contactGroups/'.length));
    if (count) group.memberCount = count;
  }
  return { seed, people, otherContacts, contactGroups, cases };
}

/** Gives each email of `input` that someone already has a numeric suffix, and records them all. */
function uniqueEmails(input: PersonInput, used: Set<string>): PersonInput {
  for (const email of input.emailAddresses ?? []) {
    const value = email.value ?? '';
    let candidate = value;
    for (let n = 2; used.has(candidate.toLowerCase()); n++) candidate = value.replace('@', `${n}@`);
    email.value = candidate;
    used.add(candidate.toLowerCase());
  }
  return input;
}
