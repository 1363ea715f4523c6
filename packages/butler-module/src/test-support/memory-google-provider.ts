import {
  type CanonicalContactInput,
  type CanonicalGroup,
  type ContactBatch,
  ContactsProvider,
  type FullSyncRequest,
  type IncrementalSyncRequest,
  ProviderError,
} from '@contacts/core';

interface Person {
  id: string;
  name: string;
  version: number;
  changedAt: number;
  deleted: boolean;
}

/** An in-memory address book with a change log: the source a {@link MemoryGoogleProvider} reads. */
export class MemoryAddressBook {
  readonly people = new Map<string, Person>();
  sequence = 0;
  epoch = 1;
  #nextId = 1;

  constructor(count = 0) {
    for (let i = 0; i < count; i += 1) this.add(`Person ${i + 1}`);
  }

  add(name: string): string {
    const id = `people/c${this.#nextId++}`;
    this.people.set(id, { id, name, version: 1, changedAt: ++this.sequence, deleted: false });
    return id;
  }

  edit(id: string, name: string): void {
    const p = this.people.get(id);
    if (p) Object.assign(p, { name, version: p.version + 1, changedAt: ++this.sequence });
  }

  remove(id: string): void {
    const p = this.people.get(id);
    if (p) Object.assign(p, { deleted: true, version: p.version + 1, changedAt: ++this.sequence });
  }

  get live(): number {
    return [...this.people.values()].filter((p) => !p.deleted).length;
  }
}

/** What the provider was asked, in order. */
export interface PageCall {
  mode: 'full' | 'incremental';
  pageToken: string | null;
}

/**
 * A real `ContactsProvider` over a {@link MemoryAddressBook} that calls itself `google`, so the
 * module and runtime can be tested where Google is not the subject. Hooks let tests hold a page
 * (`gate`), fail calls (`failures`) and watch concurrency.
 */
export class MemoryGoogleProvider extends ContactsProvider {
  readonly calls: PageCall[] = [];
  /** Thrown, one per page request, before anything else happens. */
  readonly failures: Error[] = [];
  /** Awaited before a page is returned: hold it to stop a sync mid-page. */
  gate: ((call: PageCall) => Promise<void>) | null = null;
  active = 0;
  maxActive = 0;
  closed = 0;

  constructor(
    readonly book: MemoryAddressBook,
    readonly pageSize = 10,
  ) {
    super();
  }

  name(): string {
    return 'google';
  }

  async validateCredentials(): Promise<void> {}

  async listGroups(): Promise<CanonicalGroup[]> {
    return [{ external_id: 'contactGroups/friends', name: 'Friends', system: false, deleted: false }];
  }

  override async close(): Promise<void> {
    this.closed += 1;
  }

  async fullSync({ pageToken }: FullSyncRequest): Promise<ContactBatch> {
    return this.#serve({ mode: 'full', pageToken: pageToken ?? null }, () => {
      const { until, offset } = readToken(pageToken, this.book.sequence);
      return this.#page(
        [...this.book.people.values()].filter((p) => !p.deleted),
        offset,
        until,
      );
    });
  }

  async incrementalSync({ cursor, pageToken }: IncrementalSyncRequest): Promise<ContactBatch> {
    return this.#serve({ mode: 'incremental', pageToken: pageToken ?? null }, () => {
      const match = /^v1:(\d+):(\d+)$/.exec(cursor);
      if (!match) throw new ProviderError('PERMANENT', 'Unreadable cursor.');
      if (Number(match[1]) !== this.book.epoch)
        throw new ProviderError('CURSOR_EXPIRED', 'The cursor expired.');
      const since = Number(match[2]);
      const { until, offset } = readToken(pageToken, this.book.sequence);
      const changed = [...this.book.people.values()].filter(
        (p) => p.changedAt > since && p.changedAt <= until,
      );
      return this.#page(changed, offset, until);
    });
  }

  async #serve(call: PageCall, page: () => ContactBatch): Promise<ContactBatch> {
    this.active += 1;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      this.calls.push(call);
      const failure = this.failures.shift();
      if (failure) throw failure;
      const result = page();
      if (this.gate) await this.gate(call);
      return result;
    } finally {
      this.active -= 1;
    }
  }

  #page(people: Person[], offset: number, until: number): ContactBatch {
    const slice = people.slice(offset, offset + this.pageSize);
    const last = offset + this.pageSize >= people.length;
    return {
      contacts: slice.map(toContact),
      next_page_token: last ? null : `${until}:${offset + this.pageSize}`,
      next_sync_cursor: last ? `v1:${this.book.epoch}:${until}` : null,
    };
  }
}

function readToken(pageToken: string | null | undefined, sequence: number) {
  if (!pageToken) return { until: sequence, offset: 0 };
  const [until, offset] = pageToken.split(':').map(Number);
  return { until: until ?? sequence, offset: offset ?? 0 };
}

function toContact(p: Person): CanonicalContactInput {
  if (p.deleted) return { external_id: p.id, etag: String(p.version), deleted: true };
  const [first, ...rest] = p.name.split(' ');
  return {
    external_id: p.id,
    etag: String(p.version),
    display_name: p.name,
    first_name: first,
    last_name: rest.join(' ') || null,
    emails: [{ value: `${p.name.toLowerCase().replace(/\W+/g, '.')}@example.org`, primary: true }],
    group_memberships: ['contactGroups/friends'],
  };
}

/** A promise with its resolve exposed: to hold a page until the test lets it go. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
