import type { Clock } from '../clock.js';
import { EmulatorError } from '../errors.js';
import { OTHER_CONTACT_FIELDS } from '../fields.js';
import type { AddressBook } from '../generator/address-book.js';
import type { Prng } from '../generator/prng.js';
import type { PersonInput } from '../types.js';
import { SequenceCounter } from './change-log.js';
import { GroupCollection } from './groups.js';
import { PersonCollection } from './people.js';

/** Everything the emulator serves: contacts, other contacts and groups on one change sequence. */
export class EmulatorStore {
  readonly seq = new SequenceCounter();
  readonly groups: GroupCollection;
  readonly people: PersonCollection;
  readonly otherContacts: PersonCollection;
  private memberCountCache?: { version: number; counts: Map<string, number> };

  constructor(clock: Clock, rng: Prng) {
    this.groups = new GroupCollection(this.seq, clock, rng);
    this.people = new PersonCollection('contact', this.seq, clock, rng, (input) =>
      this.checkMemberships(input),
    );
    this.otherContacts = new PersonCollection('otherContact', this.seq, clock, rng, (input) => {
      const extra = Object.keys(input).filter(
        (field) => !(OTHER_CONTACT_FIELDS as readonly string[]).includes(field),
      );
      if (extra.length > 0) {
        throw new EmulatorError(
          'INVALID_INPUT',
          `Other contacts hold only names, e-mails, phones and photos; got ${extra.join(', ')}.`,
        );
      }
    });
  }

  /** Loads a generated (or hand-written) address book; groups first, since people refer to them. */
  load(book: AddressBook): void {
    for (const group of book.contactGroups) this.groups.ingest(group);
    for (const person of book.people) this.people.ingest(person);
    for (const person of book.otherContacts) this.otherContacts.ingest(person);
  }

  /** Live members per group id, counted from the people's memberships (cached until a change). */
  memberCounts(): Map<string, number> {
    if (this.memberCountCache?.version === this.people.version) return this.memberCountCache.counts;
    const counts = new Map<string, number>();
    for (const record of this.people.all()) {
      if (record.deleted) continue;
      for (const membership of record.person.memberships ?? []) {
        const id = membership.contactGroupMembership?.contactGroupId;
        if (id) counts.set(id, (counts.get(id) ?? 0) + 1);
      }
    }
    this.memberCountCache = { version: this.people.version, counts };
    return counts;
  }

  /**
   * Deletes a user group and, as Google does, takes it out of its members' memberships: those
   * people change (new etag) and show up in the next sync.
   */
  removeGroup(resourceName: string): void {
    const record = this.groups.remove(resourceName);
    for (const person of [...this.people.all()]) {
      const memberships = person.person.memberships;
      if (person.deleted || !memberships) continue;
      const kept = memberships.filter((m) => m.contactGroupMembership?.contactGroupId !== record.id);
      if (kept.length !== memberships.length)
        this.people.update(person.person.resourceName, { memberships: kept });
    }
  }

  private checkMemberships(input: PersonInput): void {
    for (const membership of input.memberships ?? []) {
      const id = membership.contactGroupMembership?.contactGroupId;
      const group = id === undefined ? undefined : this.groups.find(id);
      if (!group || group.deleted) {
        throw new EmulatorError(
          'INVALID_INPUT',
          `Membership of unknown contact group ${JSON.stringify(id)}.`,
        );
      }
    }
  }
}
