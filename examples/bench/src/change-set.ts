import type { EmulatorAdmin } from '@contacts/google-emulator';

/** What {@link applyChangeSet} did to the address book. */
export interface ChangeSet {
  edited: number;
  deleted: number;
  added: number;
}

/** The split of a change: most changes to an address book are edits. */
const EDIT_SHARE = 0.6;
const DELETE_SHARE = 0.2;

/** How many edits, deletions and new people make `fraction` of `people` (at least one of each). */
export function planChangeSet(people: number, fraction: number): ChangeSet {
  const total = Math.max(3, Math.round(people * fraction));
  const edited = Math.max(1, Math.round(total * EDIT_SHARE));
  const deleted = Math.max(1, Math.round(total * DELETE_SHARE));
  return { edited, deleted, added: Math.max(1, total - edited - deleted) };
}

/**
 * Changes `fraction` of the address book through the emulator's admin API, deterministically:
 * edits (a new work e-mail and organization) and deletions spread evenly over the book, and new
 * people whose names and e-mails match nobody, so each one is a new CRM contact.
 *
 * @example
 * ```ts
 * applyChangeSet(emulator.admin, 0.01); // { edited: 6, deleted: 2, added: 2 } on 1,000 people
 * ```
 */
export function applyChangeSet(admin: EmulatorAdmin, fraction: number): ChangeSet {
  const people = admin.people();
  const plan = planChangeSet(people.length, fraction);
  const targets = Math.min(people.length, plan.edited + plan.deleted);
  const step = people.length / targets;
  let edited = 0;
  let deleted = 0;
  for (let k = 0; k < targets; k += 1) {
    const person = people[Math.floor(k * step + step / 2)];
    if (!person) continue;
    // Deletions are interleaved with edits in proportion, so both touch the whole book.
    const deleteNow =
      Math.floor(((k + 1) * plan.deleted) / targets) > Math.floor((k * plan.deleted) / targets);
    if (deleteNow && deleted < plan.deleted) {
      admin.deletePerson(person.resourceName);
      deleted += 1;
      continue;
    }
    const emails = (person.emailAddresses ?? []).map(({ value, type }) => ({ value, type }));
    admin.updatePerson(person.resourceName, {
      emailAddresses: [...emails, { value: `bench.edited.${k}@example.org`, type: 'work' }],
      organizations: [{ name: `Benchmark Edits ${k}`, title: 'Edited for the benchmark', current: true }],
    });
    edited += 1;
  }
  for (let k = 0; k < plan.added; k += 1) {
    admin.addPerson({
      names: [{ givenName: 'Benchmark', familyName: `Newcomer ${k + 1}` }],
      emailAddresses: [{ value: `bench.added.${k + 1}@example.org`, type: 'home' }],
    });
  }
  return { edited, deleted, added: plan.added };
}
