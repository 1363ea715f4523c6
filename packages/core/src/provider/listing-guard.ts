import { ProviderError } from './provider-error.js';

/**
 * The most one listing may take: pages, and items (contacts, groups) across its pages. A source
 * that answers more is broken (or hostile): a listing past either bound is stopped.
 *
 * @example
 * ```ts
 * const limits: ListingLimits = { maxPages: 252, maxItems: 25_000 }; // Google: 25,000 contacts per account
 * ```
 */
export interface ListingLimits {
  maxPages: number;
  maxItems: number;
}

/**
 * What the sync cycle bounds a provider's contacts listing by when the provider declares nothing
 * (`ContactsProvider.listingLimits`): twice the largest address books the big services allow
 * (iCloud 50,000 contacts, Google 25,000), in pages of at least 10 on average.
 *
 * @example
 * ```ts
 * const limits = provider.listingLimits?.() ?? DEFAULT_LISTING_LIMITS;
 * ```
 */
export const DEFAULT_LISTING_LIMITS: Readonly<ListingLimits> = Object.freeze({
  maxPages: 10_000,
  maxItems: 100_000,
});

/**
 * Options of a {@link ListingGuard}.
 *
 * @example
 * ```ts
 * const options: ListingGuardOptions = { provider: 'google', listing: 'contact groups listing', limits: { maxPages: 50, maxItems: 50_000 } };
 * ```
 */
export interface ListingGuardOptions {
  /** `provider.name()`: who is named when the listing is stopped. */
  provider: string;
  /** What is listed, for the message (`full contacts listing`, `contact groups listing`). */
  listing: string;
  limits: ListingLimits;
  /** What the items are, for the message (default `items`). */
  itemName?: string;
  /** The page token the listing resumes from (a checkpoint's); null or absent at its first page. */
  resumeToken?: string | null;
  /** Pages and items a resumed listing already took before `resumeToken` (default 0). */
  pagesBefore?: number;
  itemsBefore?: number;
}

/**
 * Watches one paginated listing and stops it when the source loops or never ends: a next page
 * token seen before in the listing (A, A or A, B, A), more pages than `maxPages`, more items than
 * `maxItems`. The sync cycle uses one per contacts listing and a provider one per inner listing
 * (groups; a CardDAV report), so every provider inherits the same stop. Memory is one entry per
 * page, and pages are bounded.
 *
 * @example
 * ```ts
 * const guard = new ListingGuard({ provider: 'google', listing: 'contact groups listing', limits });
 * let token: string | undefined;
 * do {
 *   const page = await list(token);
 *   guard.accept(page.items.length, page.nextPageToken); // throws when the source loops
 *   token = page.nextPageToken ?? undefined;
 * } while (token);
 * ```
 */
export class ListingGuard {
  readonly #options: ListingGuardOptions;
  /** Each page token of the listing, and the page that handed it out (0: where it resumed from). */
  readonly #tokens = new Map<string, number>();
  #pages: number;
  #items: number;

  constructor(options: ListingGuardOptions) {
    this.#options = options;
    this.#pages = options.pagesBefore ?? 0;
    this.#items = options.itemsBefore ?? 0;
    if (options.resumeToken) this.#tokens.set(options.resumeToken, this.#pages);
  }

  /** Pages accepted so far (with those before a resume). */
  get pages(): number {
    return this.#pages;
  }

  /** Items accepted so far (with those before a resume). */
  get items(): number {
    return this.#items;
  }

  /**
   * Accepts the next page: `items` it holds and the `nextToken` it hands out (null on the last).
   * Nothing is recorded when it throws, so the caller can stop before using the page.
   *
   * @throws ProviderError `TEMPORARY` naming what the source did (retried later with backoff, never
   *   in a loop).
   */
  accept(items: number, nextToken: string | null | undefined): void {
    const { provider, listing, limits } = this.#options;
    const what = this.#options.itemName ?? 'items';
    const page = this.#pages + 1;
    const retry = '(the next sync tries again)';
    if (page > limits.maxPages) {
      throw stopped(
        provider,
        `The ${provider} server did not end its ${listing} within ${limits.maxPages} pages: it was stopped at page ${page} ${retry}.`,
      );
    }
    const total = this.#items + items;
    if (total > limits.maxItems) {
      throw stopped(
        provider,
        `The ${provider} server sent more ${what} in its ${listing} than any account there holds (${total} by page ${page}, at most ${limits.maxItems}): it was stopped before page ${page} was used ${retry}.`,
      );
    }
    if (nextToken) {
      const earlier = this.#tokens.get(nextToken);
      if (earlier !== undefined) {
        const first = earlier === 0 ? 'the page this sync resumed from' : `page ${earlier}`;
        throw stopped(
          provider,
          `The ${provider} server repeated the page token of ${first} at page ${page} of its ${listing}: a listing that loops never ends, so it was stopped ${retry}.`,
        );
      }
      this.#tokens.set(nextToken, page);
    }
    this.#pages = page;
    this.#items = total;
  }
}

function stopped(provider: string, message: string): ProviderError {
  return new ProviderError('TEMPORARY', message, { provider });
}
