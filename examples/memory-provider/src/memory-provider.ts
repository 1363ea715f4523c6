import {
  type CanonicalContactInput,
  type CanonicalGroup,
  type ContactBatch,
  ContactsProvider,
  type FullSyncRequest,
  type IncrementalSyncRequest,
  ProviderError,
} from '@contacts/core';

/** One person in the in-memory address book. */
export interface MemoryPerson {
  id: string;
  name: string;
  email: string;
  /** Bumped on every change; doubles as the etag. */
  version: number;
  /** The change sequence number of the last change. */
  changedAt: number;
  deleted: boolean;
}

/** A tiny address book with a change log, standing in for a remote source. */
export class MemoryAddressBook {
  readonly people = new Map<string, MemoryPerson>();
  #sequence = 0;
  #epoch = 1;
  #nextId = 1;

  constructor(count = 0) {
    for (let i = 0; i < count; i += 1) this.add(`Person ${i + 1}`);
  }

  get sequence(): number {
    return this.#sequence;
  }
  get epoch(): number {
    return this.#epoch;
  }

  add(name: string): string {
    const id = `memory/${this.#nextId++}`;
    const email = `${name.toLowerCase().replace(/\W+/g, '.')}@example.org`;
    this.people.set(id, { id, name, email, version: 1, changedAt: ++this.#sequence, deleted: false });
    return id;
  }

  edit(id: string, name: string): void {
    const person = this.people.get(id);
    if (person) Object.assign(person, { name, version: person.version + 1, changedAt: ++this.#sequence });
  }

  remove(id: string): void {
    const person = this.people.get(id);
    if (person)
      Object.assign(person, { deleted: true, version: person.version + 1, changedAt: ++this.#sequence });
  }

  /** Invalidates every cursor handed out so far, as a server forgetting its change log would. */
  expireCursors(): void {
    this.#epoch += 1;
  }
}

const PAGE_SIZE = 10;

/**
 * A complete `ContactsProvider` over a {@link MemoryAddressBook}: pages, cursors, tombstones
 * and error codes, in about a hundred lines.
 *
 * @example
 * ```ts
 * const provider = new MemoryContactsProvider(new MemoryAddressBook(25));
 * const first = await provider.fullSync({}); // 10 contacts and a next_page_token
 * ```
 */
export class MemoryContactsProvider extends ContactsProvider {
  constructor(private readonly book: MemoryAddressBook) {
    super();
  }

  name(): string {
    return 'memory';
  }

  async validateCredentials(): Promise<void> {}

  async fullSync({ pageToken }: FullSyncRequest): Promise<ContactBatch> {
    const { until, offset } = readPageToken(pageToken, this.book.sequence);
    const live = [...this.book.people.values()].filter((p) => !p.deleted);
    return this.#page(live, offset, until);
  }

  async incrementalSync({ cursor, pageToken }: IncrementalSyncRequest): Promise<ContactBatch> {
    const match = /^v1:(\d+):(\d+)$/.exec(cursor);
    if (!match) throw new ProviderError('PERMANENT', 'The memory provider cannot read this cursor.');
    if (Number(match[1]) !== this.book.epoch) {
      throw new ProviderError('CURSOR_EXPIRED', 'The memory cursor has expired; a full sync is needed.');
    }
    const since = Number(match[2]);
    const { until, offset } = readPageToken(pageToken, this.book.sequence);
    const changed = [...this.book.people.values()].filter((p) => p.changedAt > since && p.changedAt <= until);
    return this.#page(changed, offset, until);
  }

  async listGroups(): Promise<CanonicalGroup[]> {
    return [{ external_id: 'memory-groups/friends', name: 'Friends', system: false, deleted: false }];
  }

  /** One page; `until` is the change sequence the sync started at, so no change falls between syncs. */
  #page(people: MemoryPerson[], offset: number, until: number): ContactBatch {
    const slice = people.slice(offset, offset + PAGE_SIZE);
    const last = offset + PAGE_SIZE >= people.length;
    return {
      contacts: slice.map(toContact),
      next_page_token: last ? null : `${until}:${offset + PAGE_SIZE}`,
      next_sync_cursor: last ? `v1:${this.book.epoch}:${until}` : null,
      checkpoint: { offset: offset + slice.length },
    };
  }
}

function readPageToken(pageToken: string | null | undefined, sequence: number) {
  if (!pageToken) return { until: sequence, offset: 0 };
  const [until, offset] = pageToken.split(':').map(Number);
  if (!Number.isInteger(until) || !Number.isInteger(offset)) {
    throw new ProviderError('PERMANENT', 'The memory provider cannot read this page token.');
  }
  return { until: until!, offset: offset! };
}

function toContact(p: MemoryPerson): CanonicalContactInput {
  if (p.deleted) return { external_id: p.id, etag: String(p.version), deleted: true };
  const [first, ...rest] = p.name.split(' ');
  return {
    external_id: p.id,
    etag: String(p.version),
    display_name: p.name,
    first_name: first,
    last_name: rest.join(' ') || null,
    emails: [{ value: p.email, primary: true }],
    group_memberships: ['memory-groups/friends'],
  };
}
