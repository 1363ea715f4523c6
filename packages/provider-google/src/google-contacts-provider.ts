import {
  type CanonicalGroup,
  type ContactBatch,
  ContactsProvider,
  type FullSyncRequest,
  type IncrementalSyncRequest,
  ListingGuard,
  type ListingLimits,
  ProviderError,
} from '@contacts/core';
import type { people_v1 } from '@googleapis/people';
import { callWithRetry } from './call-with-retry.js';
import { readGoogleFailure } from './google-failure.js';
import { type GoogleStream, GROUP_FIELDS, OTHER_CONTACTS_READ_MASK, PERSON_FIELDS } from './google-fields.js';
import { splitKnownPeople } from './known-people.js';
import { type ListPage, readListPage } from './list-page.js';
import { normalizeGroup } from './normalize-group.js';
import { normalizePerson } from './normalize-person.js';
import { type GoogleProviderOptions, type ResolvedGoogleOptions, resolveGoogleOptions } from './options.js';
import { createPeopleClient, type PeopleClient } from './people-client.js';
import { redact } from './redact.js';
import {
  decodePageToken,
  decodeSyncCursor,
  encodePageToken,
  encodeSyncCursor,
  type GooglePagePosition,
  type GoogleSyncTokens,
} from './sync-cursor.js';

/**
 * What each batch stores as its `checkpoint`: JSON-safe, no credential in it.
 *
 * @example
 * ```ts
 * const checkpoint: GoogleCheckpoint = { stream: 'otherContacts', pageToken: page.next_page_token ?? null };
 * ```
 */
export interface GoogleCheckpoint extends Record<string, unknown> {
  /** The stream this batch's contacts came from. */
  stream: GoogleStream;
  /** The batch's `next_page_token` (provider-owned; null on the last page). */
  pageToken: string | null;
}

/**
 * The most contacts one Google account holds: Google refuses a 25,001st contact. Other contacts
 * have no published cap; they are bounded as generously, as a stream of their own.
 */
export const GOOGLE_MAX_CONTACTS = 25_000;

/**
 * The contact groups listing's bounds: pages of 1,000, and far more groups than an account of
 * 25,000 contacts can use (a repeated groups token once made 261,454 requests in 240 s).
 */
export const GOOGLE_GROUP_LISTING_LIMITS: Readonly<ListingLimits> = Object.freeze({
  maxPages: 50,
  maxItems: 50_000,
});

/**
 * Google Contacts through the People API v1, on the official `@googleapis/people` client.
 *
 * One page per call, as the engine drives it. A full sync lists `connections` with
 * `requestSyncToken=true` (and then `otherContacts` when `includeOtherContacts` is on); an
 * incremental sync lists the changes since each stream's sync token. Page tokens and the cursor
 * are provider-owned base64url JSON (see `sync-cursor.ts`). Groups come from `listGroups()`, which
 * the sync cycle calls once per cycle, so labels get names rather than opaque ids. Every call is retried
 * on 429/5xx/network errors with backoff that honours `Retry-After`, and every failure is a
 * {@link ProviderError} whose message holds no secret.
 *
 * @example
 * ```ts
 * const provider = new GoogleContactsProvider({ clientId, clientSecret, refreshToken, includeOtherContacts: true });
 * await provider.validateCredentials();
 * let page = await provider.fullSync({});
 * while (page.next_page_token) page = await provider.fullSync({ pageToken: page.next_page_token });
 * const cursor = page.next_sync_cursor; // for incrementalSync({ cursor })
 * ```
 */
export class GoogleContactsProvider extends ContactsProvider {
  readonly #options: ResolvedGoogleOptions;
  readonly #client: PeopleClient;
  #closed = false;

  /** @throws ProviderError `PERMANENT` when an option is invalid (named, its value never shown). */
  constructor(options: GoogleProviderOptions) {
    super();
    this.#options = resolveGoogleOptions(options);
    this.#client = createPeopleClient(this.#options);
  }

  name(): string {
    return 'google';
  }

  /**
   * Refreshes the access token and lists one person of each synced stream: a dead refresh token
   * (`invalid_grant`) and missing scopes both show here as `AUTH_FAILED`.
   */
  async validateCredentials(signal?: AbortSignal): Promise<void> {
    this.#assertOpen();
    await this.#call('oauth2.token', false, signal, () => this.#client.auth.getAccessToken());
    await this.#call('people.connections.list', false, signal, () =>
      this.#client.api.people.connections.list(
        { resourceName: 'people/me', personFields: 'metadata', pageSize: 1 },
        { signal },
      ),
    );
    if (this.#options.includeOtherContacts) {
      await this.#call('otherContacts.list', false, signal, () =>
        this.#client.api.otherContacts.list({ readMask: 'metadata', pageSize: 1 }, { signal }),
      );
    }
  }

  async fullSync(request: FullSyncRequest): Promise<ContactBatch> {
    this.#assertOpen();
    const position: GooglePagePosition = request.pageToken
      ? decodePageToken(request.pageToken, 'full')
      : { mode: 'full', stream: 'connections' };
    return this.#syncPage(position, null, request);
  }

  /**
   * One page of the changes since `cursor`. A cursor without an otherContacts token while
   * `includeOtherContacts` is on (the option was just turned on) is reported as expired: the
   * engine's full sync then gives the new stream its own token, and is the only path that
   * tombstones other contacts deleted while the stream was off. Unchanged connections cost no
   * writes there (same etag). Turned off, the otherContacts token is simply dropped.
   */
  async incrementalSync(request: IncrementalSyncRequest): Promise<ContactBatch> {
    this.#assertOpen();
    const tokens = decodeSyncCursor(request.cursor);
    if (this.#options.includeOtherContacts && !tokens.otherContacts) {
      throw new ProviderError(
        'CURSOR_EXPIRED',
        'The sync cursor has no token for other contacts (include_other_contacts was turned on since): a full sync of both streams will give them one.',
        { provider: 'google' },
      );
    }
    const position: GooglePagePosition = request.pageToken
      ? decodePageToken(request.pageToken, 'incremental')
      : { mode: 'incremental', stream: 'connections' };
    return this.#syncPage(position, tokens, request);
  }

  /**
   * The bounds of one contacts listing: {@link GOOGLE_MAX_CONTACTS} per stream (connections, and
   * other contacts when they are synced), in pages of at least 100 on average (or the page size,
   * when smaller): ten times the pages a listing of full pages takes, so short pages still fit.
   */
  override listingLimits(): ListingLimits {
    const streams = this.#options.includeOtherContacts ? 2 : 1;
    const maxItems = GOOGLE_MAX_CONTACTS * streams;
    return { maxItems, maxPages: Math.ceil(maxItems / Math.min(this.#options.pageSize, 100)) + streams + 1 };
  }

  /**
   * Every contact group, all pages. Groups without a name are left out: an id is never a label.
   * A listing that repeats a page token or passes {@link GOOGLE_GROUP_LISTING_LIMITS} is stopped.
   */
  async listGroups(signal?: AbortSignal): Promise<CanonicalGroup[]> {
    this.#assertOpen();
    const groups: CanonicalGroup[] = [];
    const listing = new ListingGuard({
      provider: 'google',
      listing: 'contact groups listing',
      itemName: 'groups',
      limits: GOOGLE_GROUP_LISTING_LIMITS,
    });
    let pageToken: string | undefined;
    do {
      const token = pageToken;
      const res = await this.#call('contactGroups.list', false, signal, () =>
        this.#client.api.contactGroups.list(
          { pageSize: 1000, groupFields: GROUP_FIELDS, pageToken: token },
          { signal },
        ),
      );
      const page = res.data.contactGroups ?? [];
      // Before the page is kept: a server that loops is stopped here, not after memory filled up.
      listing.accept(page.length, res.data.nextPageToken);
      for (const raw of page) {
        const group = normalizeGroup(raw);
        if (group) groups.push(group);
        else
          this.#options.logger.warn('google contact group without a name skipped', {
            group: raw.resourceName ?? null,
          });
      }
      pageToken = res.data.nextPageToken ?? undefined;
    } while (pageToken);
    return groups;
  }

  /** Forgets the access token; later calls fail. Safe to call twice. */
  override async close(): Promise<void> {
    this.#closed = true;
    this.#client.auth.setCredentials({});
  }

  async #syncPage(
    position: GooglePagePosition,
    tokens: GoogleSyncTokens | null,
    request: FullSyncRequest | IncrementalSyncRequest,
  ): Promise<ContactBatch> {
    const { includeOtherContacts, logger } = this.#options;
    const { signal, knownEtags } = request;
    if (position.stream === 'otherContacts' && !includeOtherContacts) {
      // The option was turned off between two pages of one sync: end with the connections token
      // (a page token of the otherContacts stream always carries it).
      const cursor = encodeSyncCursor({ connections: position.connections as string });
      return this.#batch(position.stream, [], null, cursor);
    }
    const page = await this.#listStream(position, tokens, signal);
    const { unchanged, changed } = await splitKnownPeople(page.people, knownEtags);
    const contacts = changed.map((person) =>
      normalizePerson(person as people_v1.Schema$Person, { source: position.stream }),
    );
    let next: GooglePagePosition | null = null;
    let cursor: string | null = null;
    if (page.nextPageToken) {
      next = { ...position, page: page.nextPageToken };
    } else if (position.stream === 'connections' && includeOtherContacts) {
      next = { mode: position.mode, stream: 'otherContacts', connections: page.nextSyncToken as string };
    } else if (position.stream === 'connections') {
      cursor = encodeSyncCursor({ connections: page.nextSyncToken as string });
    } else {
      cursor = encodeSyncCursor({
        connections: position.connections as string,
        otherContacts: page.nextSyncToken as string,
      });
    }
    logger.debug('google page fetched', {
      mode: position.mode,
      stream: position.stream,
      contacts: contacts.length,
      unchanged: unchanged.length,
      last: next === null,
    });
    const batch = {
      ...this.#batch(position.stream, contacts, next ? encodePageToken(next) : null, cursor),
      ...(unchanged.length > 0 ? { unchanged } : {}),
    };
    // The list's size is the listing's only for a full sync of connections alone: an incremental
    // page lists changes, and with other contacts a second list follows whose size is unknown yet.
    if (position.mode === 'full' && !includeOtherContacts && page.total !== undefined) {
      return { ...batch, total: page.total };
    }
    return batch;
  }

  #batch(
    stream: GoogleStream,
    contacts: unknown[],
    nextPageToken: string | null,
    cursor: string | null,
  ): ContactBatch {
    const checkpoint: GoogleCheckpoint = { stream, pageToken: nextPageToken };
    return { contacts, next_page_token: nextPageToken, next_sync_cursor: cursor, checkpoint };
  }

  #listStream(
    position: GooglePagePosition,
    tokens: GoogleSyncTokens | null,
    signal: AbortSignal | undefined,
  ): Promise<ListPage> {
    const { pageSize } = this.#options;
    const incremental = position.mode === 'incremental';
    // Every page of a sync repeats the first call's parameters: Google requires it with a page or sync token.
    // A 400 on a later page refuses its page token, not the request (classify-failure.ts).
    const used = { syncToken: incremental, pageToken: position.page !== undefined };
    if (position.stream === 'connections') {
      return this.#call('people.connections.list', used, signal, async () => {
        const res = await this.#client.api.people.connections.list(
          {
            resourceName: 'people/me',
            personFields: PERSON_FIELDS,
            pageSize,
            requestSyncToken: true,
            pageToken: position.page,
            syncToken: incremental ? tokens?.connections : undefined,
          },
          { signal },
        );
        return readListPage(res.data, 'connections');
      });
    }
    return this.#call('otherContacts.list', used, signal, async () => {
      const res = await this.#client.api.otherContacts.list(
        {
          readMask: OTHER_CONTACTS_READ_MASK,
          pageSize,
          requestSyncToken: true,
          pageToken: position.page,
          syncToken: incremental ? tokens?.otherContacts : undefined,
        },
        { signal },
      );
      return readListPage(res.data, 'otherContacts');
    });
  }

  #call<T>(
    operation: string,
    used: boolean | { syncToken: boolean; pageToken: boolean },
    signal: AbortSignal | undefined,
    attempt: () => Promise<T>,
  ): Promise<T> {
    const usedSyncToken = typeof used === 'boolean' ? used : used.syncToken;
    const usedPageToken = typeof used === 'boolean' ? false : used.pageToken;
    const { retry, sleep, random, clock, logger, clientSecret, refreshToken, requestTimeoutMs } =
      this.#options;
    // An access token revoked on its own (a 401) gets one refresh and one more try per call: no
    // reason to stop syncing, and a revoked refresh token then shows as invalid_grant.
    let refreshed = false;
    const attemptWithRefresh = async (): Promise<T> => {
      try {
        return await attempt();
      } catch (error) {
        if (refreshed || operation === 'oauth2.token' || readGoogleFailure(error).status !== 401) throw error;
        refreshed = true;
        this.#client.auth.setCredentials({ refresh_token: refreshToken });
        return await attempt();
      }
    };
    return callWithRetry(
      attemptWithRefresh,
      retry,
      { sleep, random, clock, logger },
      {
        operation,
        usedSyncToken,
        usedPageToken,
        signal,
        timeoutMs: requestTimeoutMs,
        redact: (text) =>
          redact(text, [clientSecret, refreshToken, this.#client.auth.credentials.access_token]),
      },
    );
  }

  #assertOpen(): void {
    if (this.#closed) {
      throw new ProviderError('PERMANENT', 'The Google contacts provider is closed; create a new one.', {
        provider: 'google',
      });
    }
  }
}
