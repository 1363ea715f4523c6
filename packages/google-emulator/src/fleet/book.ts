import { type AddressBook, generateAddressBook } from '../generator/address-book.js';
import { draftContact } from '../generator/contact.js';
import { Prng } from '../generator/prng.js';
import { assemblePerson, resourceNameFor } from '../person-shape.js';
import { normalizePersonInput } from '../store/normalize.js';
import type { ContactGroup, EmailAddress, Membership, Person, PersonInput } from '../types.js';
import { derivedSeed, type FleetPlan } from './plan.js';

/**
 * A shared person in one account's book: its resource name there, and its number in the pool
 * (the same number in every book that holds it).
 *
 * @example
 * ```ts
 * const shared: SharedPlacement[] = emulator.fleet!.account(0).shared();
 * ```
 */
export interface SharedPlacement {
  resourceName: string;
  sharedId: number;
}

/** A fleet account's generated book, and where the shared people landed in it. */
export interface FleetBook {
  book: AddressBook;
  shared: SharedPlacement[];
}

const DAY_MS = 86_400_000;
const BOOK_TIME = Date.UTC(2025, 0, 1);
const MY_CONTACTS: Membership = {
  contactGroupMembership: {
    contactGroupId: 'myContacts',
    contactGroupResourceName: 'contactGroups/myContacts',
  },
};

/**
 * `local.tag@domain`: generated addresses come from common names and domains, so two people of
 * different books would otherwise share one by chance, and a sync would rightly merge them. The
 * tag makes an address belong to one person of the whole fleet: `s…` a shared person, `a…` an
 * account's own people (whose book-internal cases, a duplicate or a shared e-mail, keep theirs).
 */
function tagged(list: readonly EmailAddress[] | undefined, tag: string): EmailAddress[] | undefined {
  return list?.map((email) => {
    const value = email.value ?? '';
    const at = value.lastIndexOf('@');
    return at > 0 ? { ...email, value: `${value.slice(0, at)}.${tag}${value.slice(at)}` } : { ...email };
  });
}

function withTaggedEmails(person: Person, tag: string): Person {
  const emailAddresses = tagged(person.emailAddresses, tag);
  return emailAddresses ? { ...person, emailAddresses } : person;
}

/** Shared person `sharedId`: the same fields in every book, from its own random stream. */
export function sharedPersonInput(seed: number, sharedId: number): PersonInput {
  const input = draftContact(new Prng(derivedSeed(seed, 'shared', sharedId)), []);
  const emailAddresses = tagged(input.emailAddresses, `s${sharedId.toString(36)}`);
  return emailAddresses ? { ...input, emailAddresses } : input;
}

/** `k` distinct numbers of 0..n-1, sorted (Floyd's sampling: k draws, no array of n). */
function sample(rng: Prng, n: number, k: number): number[] {
  const picked = new Set<number>();
  for (let j = n - k; j < n; j++) {
    const t = rng.int(0, j);
    picked.add(picked.has(t) ? j : t);
  }
  return [...picked].sort((a, b) => a - b);
}

function idOf(person: Person): string | undefined {
  return person.metadata?.sources?.[0]?.id;
}

function newId(rng: Prng, taken: Set<string>): string {
  for (;;) {
    const id = `${rng.int(1, 7).toString(16)}${rng.hex(15)}`;
    if (!taken.has(id)) {
      taken.add(id);
      return id;
    }
  }
}

/**
 * Generates account `index`'s book: its own people (`generateAddressBook` with the account's
 * seed, awkward cases included) and `sharedPerAccount` people of the pool, picked by the
 * account's own random stream, each with an id of this book, myContacts and now and then one of
 * the account's groups. Deterministic: the same plan and index always give the same book.
 */
export function generateFleetBook(plan: FleetPlan, index: number): FleetBook {
  const own = generateAddressBook({
    seed: derivedSeed(plan.seed, 'account', index),
    people: plan.peoplePerAccount - plan.sharedPerAccount,
    otherContacts: plan.otherContactsPerAccount,
  });
  const tag = `a${index.toString(36)}`;
  const people = own.people.map((person) => withTaggedEmails(person, tag));
  const otherContacts = own.otherContacts.map((person) => withTaggedEmails(person, tag));

  const rng = new Prng(derivedSeed(plan.seed, 'placement', index));
  const taken = new Set(people.map(idOf).filter((id): id is string => id !== undefined));
  const userGroups = own.contactGroups.filter((group) => group.groupType === 'USER_CONTACT_GROUP');
  const shared: SharedPlacement[] = [];
  for (const sharedId of sample(rng, plan.sharedPeople, plan.sharedPerAccount)) {
    const id = newId(rng, taken);
    const group: ContactGroup | undefined =
      userGroups.length > 0 && rng.chance(0.3) ? rng.pick(userGroups) : undefined;
    const memberships: Membership[] = [MY_CONTACTS];
    if (group) {
      memberships.push({
        contactGroupMembership: {
          contactGroupId: group.resourceName.slice('contactGroups/'.length),
          contactGroupResourceName: group.resourceName,
        },
      });
    }
    const resourceName = resourceNameFor('CONTACT', id);
    people.push(
      assemblePerson({
        sourceType: 'CONTACT',
        id,
        resourceName,
        version: 1,
        updateTimeMs: BOOK_TIME - Math.floor(rng.next() * 5 * 365 * DAY_MS),
        fields: normalizePersonInput(
          { ...sharedPersonInput(plan.seed, sharedId), memberships },
          { type: 'CONTACT', id },
        ),
      }),
    );
    shared.push({ resourceName, sharedId });
  }
  return { book: { ...own, people, otherContacts }, shared };
}
