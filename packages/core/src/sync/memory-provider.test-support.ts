/**
 * Test support: a real {@link ContactsProvider} over an in-memory address book, with a change
 * log for incremental syncs, cursors that can be expired, pages of a chosen size, and a hook to
 * inject faults or pause before a page. Not part of the package.
 */
import type { CanonicalContactInput, CanonicalGroup } from '../model/canonical-contact.js';
import type { ContactBatch } from '../model/contact-batch.js';
import {
  ContactsProvider,
  type FullSyncRequest,
  type IncrementalSyncRequest,
} from '../provider/contacts-provider.js';
import { ProviderError } from '../provider/provider-error.js';

/** One address book: live contacts and the log of every change, numbered by version. */
export class MemoryAddressBook {
  readonly contacts = new Map<string, CanonicalContactInput>();
  readonly groups: CanonicalGroup[] = [];
  version = 0;
  /** Bumped by {@link expireCursors}: cursors of an older generation are expired. */
  generation = 0;
  readonly #log: { version: number; id: string }[] = [];

  /** Adds or changes a contact; its etag becomes the new version. */
  put(contact: CanonicalContactInput): void {
    this.version += 1;
    this.contacts.set(contact.external_id, { ...contact, etag: `v${this.version}` });
    this.#log.push({ version: this.version, id: contact.external_id });
  }

  /** Stores a payload as is (even a malformed one), logged under `id`. */
  putRaw(id: string, payload: unknown): void {
    this.version += 1;
    this.contacts.set(id, payload as CanonicalContactInput);
    this.#log.push({ version: this.version, id });
  }

  remove(id: string): void {
    this.version += 1;
    this.contacts.delete(id);
    this.#log.push({ version: this.version, id });
  }

  /** Every cursor issued so far stops working (Google: EXPIRED_SYNC_TOKEN). */
  expireCursors(): void {
    this.generation += 1;
  }

  /** The cursor of the current version: `g<generation>.v<version>`. */
  cursor(): string {
    return `g${this.generation}.v${this.version}`;
  }

  /** Ids changed after `version`, oldest change first, each once. */
  changedSince(version: number): string[] {
    return [...new Set(this.#log.filter((e) => e.version > version).map((e) => e.id))];
  }
}

/** A page request as the provider saw it. */
export interface PageCall {
  mode: 'full' | 'incremental';
  page: number;
  pageToken: string | null;
}

export interface MemoryProviderOptions {
  pageSize?: number;
  /** Runs before every page is served: throw to inject a fault, await to pause. */
  beforePage?: (call: PageCall) => void | Promise<void>;
}

export class MemoryProvider extends ContactsProvider {
  readonly calls: PageCall[] = [];
  readonly #pageSize: number;
  readonly #beforePage: MemoryProviderOptions['beforePage'];

  constructor(
    readonly book: MemoryAddressBook,
    options: MemoryProviderOptions = {},
  ) {
    super();
    this.#pageSize = options.pageSize ?? 3;
    this.#beforePage = options.beforePage;
  }

  name(): string {
    return 'memory';
  }

  async validateCredentials(): Promise<void> {}

  async listGroups(): Promise<CanonicalGroup[]> {
    return [...this.book.groups];
  }

  /** Pages by id (`full:<page>:<last id served>`), so deletions do not shift later pages. */
  async fullSync(request: FullSyncRequest): Promise<ContactBatch> {
    const [, page = '0', after = ''] = (request.pageToken ?? '').split(':');
    const call: PageCall = { mode: 'full', page: Number(page) + 1, pageToken: request.pageToken ?? null };
    await this.#serve(call);
    const ids = [...this.book.contacts.keys()].filter((id) => id > after).sort();
    const served = ids.slice(0, this.#pageSize);
    const last = served.length === ids.length;
    return {
      contacts: served.map((id) => this.book.contacts.get(id)!),
      next_page_token: last ? null : `full:${call.page}:${served.at(-1)}`,
      next_sync_cursor: last ? this.book.cursor() : null,
      checkpoint: { page: call.page },
    };
  }

  /** Pages through the changes since the cursor (`incremental:<page>:<offset>`). */
  async incrementalSync(request: IncrementalSyncRequest): Promise<ContactBatch> {
    const [, page = '0', offset = '0'] = (request.pageToken ?? '').split(':');
    const call: PageCall = {
      mode: 'incremental',
      page: Number(page) + 1,
      pageToken: request.pageToken ?? null,
    };
    await this.#serve(call);
    const [, generation, since] = /^g(\d+)\.v(\d+)$/.exec(request.cursor) ?? [];
    if (Number(generation) !== this.book.generation || since === undefined) {
      throw new ProviderError('CURSOR_EXPIRED', 'The sync cursor expired; a full sync is needed.', {
        provider: this.name(),
      });
    }
    const changes = this.book
      .changedSince(Number(since))
      .map((id) => this.book.contacts.get(id) ?? { external_id: id, deleted: true });
    const end = Number(offset) + this.#pageSize;
    const last = end >= changes.length;
    return {
      contacts: changes.slice(Number(offset), end),
      next_page_token: last ? null : `incremental:${call.page}:${end}`,
      next_sync_cursor: last ? this.book.cursor() : null,
      checkpoint: { page: call.page },
    };
  }

  async #serve(call: PageCall): Promise<void> {
    this.calls.push(call);
    await this.#beforePage?.(call);
  }
}

/** `n` simple contacts `people/01`.. with an email each. */
export function people(n: number, from = 1): CanonicalContactInput[] {
  return Array.from({ length: n }, (_, i) => {
    const k = String(from + i).padStart(2, '0');
    return {
      external_id: `people/${k}`,
      display_name: `Person ${k}`,
      emails: [{ value: `p${k}@example.org` }],
    };
  });
}
