import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CanonicalContact, CanonicalGroup } from '../model/canonical-contact.js';
import { ContactBatch, type ParsedContactBatch } from '../model/contact-batch.js';
import type { ContactsProvider } from '../provider/contacts-provider.js';
import { ProviderError } from '../provider/provider-error.js';

/**
 * What a provider under test brings: the provider, and optionally the means to change its source,
 * so the suite can check incremental semantics. Leave out what your source cannot do.
 *
 * @example
 * ```ts
 * const book = new MemoryAddressBook(25);
 * const fixture: ConformanceFixture = {
 *   provider: new MemoryContactsProvider(book),
 *   source: { add: async () => book.add('New Person'), edit: async (id) => book.edit(id, 'Renamed'), remove: async (id) => book.remove(id) },
 * };
 * ```
 */
export interface ConformanceFixture {
  provider: ContactsProvider;
  source?: {
    /** Adds a contact at the source; returns its external id. */
    add(): Promise<string>;
    /** Changes a contact at the source (its etag must change). */
    edit(externalId: string): Promise<void>;
    /** Deletes a contact at the source. */
    remove(externalId: string): Promise<void>;
    /** Makes the current cursor expire. */
    expireCursor?(): Promise<void>;
  };
  /** Frees what `setup` made. */
  teardown?(): Promise<void>;
}

/**
 * Options of {@link describeProviderConformance}.
 *
 * @example
 * ```ts
 * const options: ConformanceOptions = {
 *   setup: async () => ({ provider: new CardDavContactsProvider({ url: 'https://dav.example.org/', username: 'ada', password: 'pw' }) }),
 *   supportsSync: false,
 * };
 * describeProviderConformance('carddav provider', options);
 * ```
 */
export interface ConformanceOptions {
  /** Builds a fresh fixture; its source should hold at least a few contacts, ideally several pages. */
  setup(): Promise<ConformanceFixture>;
  /** False for a provider that does not sync yet: every sync call must fail with NOT_SUPPORTED. */
  supportsSync?: boolean;
  /** Upper bound on pages in one sync, so a looping provider fails instead of hanging. Default 1,000. */
  maxPages?: number;
  /**
   * False when the source cannot make a cursor expire on demand (a real server's tokens): the
   * expired-cursor test is then not registered at all, rather than registered and skipped, so a
   * run that must prove every test on a real server ran is not failed by a test that cannot.
   * Default true; the fixture's `source.expireCursor` must then exist.
   */
  expiresCursors?: boolean;
}

/**
 * Follows every page of a full or incremental sync, checking each page's shape.
 *
 * @example
 * ```ts
 * const full = await collectPages(provider, {});
 * const cursor = full.at(-1)!.next_sync_cursor!;
 * const changes = await collectPages(provider, { cursor }, 50); // at most 50 pages
 * ```
 */
export async function collectPages(
  provider: ContactsProvider,
  mode: { cursor?: string },
  maxPages = 1000,
): Promise<ParsedContactBatch[]> {
  const pages: ParsedContactBatch[] = [];
  let pageToken: string | null = null;
  for (let i = 0; i < maxPages; i += 1) {
    const raw: unknown =
      mode.cursor === undefined
        ? await provider.fullSync({ pageToken })
        : await provider.incrementalSync({ cursor: mode.cursor, pageToken });
    const page = ContactBatch.parse(raw);
    pages.push(page);
    if (!page.next_page_token) return pages;
    pageToken = page.next_page_token;
  }
  throw new Error(`The provider returned more than ${maxPages} pages: does its page token advance?`);
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('Expected the call to fail, but it succeeded.');
}

/**
 * The conformance suite every `ContactsProvider` runs against itself, ours or a third party's:
 * names, page shapes, cursors, incremental changes and tombstones, groups, error types, close.
 * Call it inside a vitest test file.
 *
 * @example
 * ```ts
 * import { describeProviderConformance, MemoryAddressBook, MemoryContactsProvider } from '@contacts/core/testing';
 * describeProviderConformance('memory provider', {
 *   setup: async () => {
 *     const book = new MemoryAddressBook(25);
 *     const source = { add: async () => book.add('New Person'), edit: async (id: string) => book.edit(id, 'Renamed'), remove: async (id: string) => book.remove(id) };
 *     return { provider: new MemoryContactsProvider(book), source };
 *   },
 * });
 * ```
 */
export function describeProviderConformance(title: string, options: ConformanceOptions): void {
  describe(`${title}: provider conformance`, () => {
    let fixture: ConformanceFixture;
    const maxPages = options.maxPages ?? 1000;
    beforeAll(async () => {
      fixture = await options.setup();
    });
    afterAll(async () => {
      await fixture?.provider.close();
      await fixture?.teardown?.();
    });

    it('has a lower-case name', () => {
      expect(fixture.provider.name()).toMatch(/^[a-z][a-z0-9_-]*$/);
    });

    if (options.supportsSync === false) {
      it('fails every sync call with NOT_SUPPORTED and a sentence saying so', async () => {
        for (const call of [
          () => fixture.provider.fullSync({}),
          () => fixture.provider.incrementalSync({ cursor: 'x' }),
          () => fixture.provider.listGroups(),
        ]) {
          const error = await rejection(call());
          expect(error).toBeInstanceOf(ProviderError);
          expect((error as ProviderError).code).toBe('NOT_SUPPORTED');
          expect((error as ProviderError).message).toMatch(/not supported/i);
        }
      });
      it('closes twice without failing', async () => {
        await fixture.provider.close();
        await fixture.provider.close();
      });
      return;
    }

    let cursor = '';
    let ids: string[] = [];

    it('accepts its credentials', async () => {
      await expect(fixture.provider.validateCredentials()).resolves.toBeUndefined();
    });

    it('returns every contact once over the pages of a full sync, the cursor on the last page', async () => {
      const pages = await collectPages(fixture.provider, {}, maxPages);
      const contacts = pages.flatMap((p) => p.contacts.map((c) => CanonicalContact.parse(c)));
      ids = contacts.map((c) => c.external_id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(contacts.every((c) => !c.deleted)).toBe(true);
      const last = pages.at(-1)!;
      expect(typeof last.next_sync_cursor).toBe('string');
      cursor = last.next_sync_cursor!;
      for (const page of pages) expect(() => JSON.stringify(page.checkpoint ?? null)).not.toThrow();
    });

    it('returns no contacts from an incremental sync when nothing changed', async () => {
      const pages = await collectPages(fixture.provider, { cursor }, maxPages);
      expect(pages.flatMap((p) => p.contacts)).toEqual([]);
      cursor = pages.at(-1)!.next_sync_cursor ?? cursor;
    });

    it('returns additions, edits and deletions from an incremental sync', async (ctx) => {
      const source = fixture.source;
      if (!source || ids.length < 2) return ctx.skip();
      const [edited, removed] = ids as [string, string];
      const before = await collectPages(fixture.provider, {}, maxPages);
      const oldEtag = before
        .flatMap((p) => p.contacts.map((c) => CanonicalContact.parse(c)))
        .find((c) => c.external_id === edited)?.etag;
      const added = await source.add();
      await source.edit(edited);
      await source.remove(removed);
      const pages = await collectPages(fixture.provider, { cursor }, maxPages);
      const changes = new Map(
        pages.flatMap((p) => p.contacts.map((c) => CanonicalContact.parse(c))).map((c) => [c.external_id, c]),
      );
      expect(changes.get(added)?.deleted).toBe(false);
      expect(changes.get(edited)?.deleted).toBe(false);
      expect(changes.get(edited)?.etag).not.toBe(oldEtag);
      expect(changes.get(removed)?.deleted).toBe(true);
      cursor = pages.at(-1)!.next_sync_cursor ?? cursor;
    });

    if (options.expiresCursors !== false) {
      it('fails an expired cursor with CURSOR_EXPIRED', async (ctx) => {
        if (!fixture.source?.expireCursor) return ctx.skip();
        await fixture.source.expireCursor();
        const error = await rejection(fixture.provider.incrementalSync({ cursor }));
        expect(error).toBeInstanceOf(ProviderError);
        expect((error as ProviderError).code).toBe('CURSOR_EXPIRED');
      });
    }

    it('fails a garbage cursor with a ProviderError, never a raw error', async () => {
      const error = await rejection(fixture.provider.incrementalSync({ cursor: '%%not-a-cursor%%' }));
      expect(error).toBeInstanceOf(ProviderError);
    });

    it('lists groups with names and unique ids', async () => {
      const groups = (await fixture.provider.listGroups()).map((g) => CanonicalGroup.parse(g));
      expect(new Set(groups.map((g) => g.external_id)).size).toBe(groups.length);
      for (const g of groups) expect(g.name.trim()).not.toBe('');
    });

    it('closes twice without failing', async () => {
      await fixture.provider.close();
      await fixture.provider.close();
    });
  });
}
