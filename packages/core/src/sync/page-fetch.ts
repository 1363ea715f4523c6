/**
 * How a cycle calls its provider: each call under its own deadline and aborted when the cycle
 * ends, and a page fetched as a settled outcome, so a page prefetched while the previous one is
 * written never rejects unobserved.
 */
import { ContactBatch, type ParsedContactBatch } from '../model/contact-batch.js';
import { formatIssues } from '../model/parse-contact.js';
import type { ContactsProvider } from '../provider/contacts-provider.js';
import type { KnownEtags } from '../provider/known-etags.js';
import { ProviderError } from '../provider/provider-error.js';
import { type CycleTimers, callWithDeadline } from './call-deadline.js';
import type { ListingState } from './listing-state.js';

/**
 * A provider call of one cycle, named for its deadline error (`listGroups`, `fullSync (page 3)`).
 *
 * @example
 * ```ts
 * const groups = await call('listGroups', (signal) => provider.listGroups(signal));
 * ```
 */
export type ProviderCall = <T>(what: string, run: (callSignal: AbortSignal) => Promise<T>) => Promise<T>;

/**
 * The calls of one cycle: each with `deadlineMs`, and aborted with `signal` (the cycle's own,
 * aborted when the cycle ends or its caller stops it).
 *
 * @example
 * ```ts
 * const call = providerCalls({ provider: 'google', deadlineMs: 300_000, signal: calls.signal, timers: systemCycleTimers });
 * ```
 */
export function providerCalls(options: {
  provider: string;
  deadlineMs: number;
  signal: AbortSignal;
  timers: CycleTimers;
}): ProviderCall {
  const { provider, deadlineMs, signal, timers } = options;
  return (what, run) => callWithDeadline({ provider, what, deadlineMs, run, signal, timers });
}

/**
 * A page fetch that has settled: its batch, or what it failed with.
 *
 * @example
 * ```ts
 * const fetched: Fetched = await fetchSettled(call, provider, listing, null, 1);
 * if ('error' in fetched) throw fetched.error;
 * ```
 */
export type Fetched = { batch: ParsedContactBatch } | { error: unknown };

/** One page of the listing, validated: a malformed page is the provider's `TEMPORARY` failure. */
async function fetchPage(
  provider: ContactsProvider,
  listing: Pick<ListingState, 'kind' | 'cursor'>,
  pageToken: string | null,
  signal: AbortSignal | undefined,
  knownEtags: KnownEtags | undefined,
): Promise<ParsedContactBatch> {
  const raw =
    listing.kind === 'full'
      ? await provider.fullSync({ pageToken, signal, knownEtags })
      : await provider.incrementalSync({ cursor: listing.cursor ?? '', pageToken, signal, knownEtags });
  const parsed = ContactBatch.safeParse(raw);
  if (!parsed.success) {
    throw new ProviderError(
      'TEMPORARY',
      `Provider ${provider.name()} returned a malformed page: ${formatIssues(parsed.error)}`,
      {
        provider: provider.name(),
      },
    );
  }
  return parsed.data;
}

/**
 * Page `page` of `listing` at `pageToken`, settled, never rejected: a prefetched page's failure
 * is handled when its turn comes. `knownEtags` is handed to the provider (the engine's versions).
 *
 * @example
 * ```ts
 * const next = fetchSettled(call, provider, listing, batch.next_page_token, 2); // fetched while page 1 is written
 * ```
 */
export function fetchSettled(
  call: ProviderCall,
  provider: ContactsProvider,
  listing: Pick<ListingState, 'kind' | 'cursor'>,
  pageToken: string | null,
  page: number,
  knownEtags?: KnownEtags,
): Promise<Fetched> {
  // Read now: a listing that moves on while the page travels does not change the page asked for.
  const { kind, cursor } = listing;
  return call(`${kind}Sync (page ${page})`, (callSignal) =>
    fetchPage(provider, { kind, cursor }, pageToken, callSignal, knownEtags),
  ).then(
    (batch) => ({ batch }),
    (error: unknown) => ({ error }),
  );
}
