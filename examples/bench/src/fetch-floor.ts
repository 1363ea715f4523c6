/**
 * The fetch floor: the provider alone paging through the whole book (its groups, then every page
 * of a full listing, decoded and mapped to canonical contacts, validated as the cycle validates a
 * page) with nothing written. A sync cannot beat it nor the database ceiling; the first full
 * sync's wall time over the larger of the two says how much the sync adds around them.
 */
import { ContactBatch, type ContactsProvider } from '@contacts/core';
import { z } from 'zod';
import { type CpuTimes, cpuMeter } from './cpu-meter.js';
import type { EmulatorControl, RequestCounts } from './emulator-control.js';
import { formatCount, formatSeconds } from './format-numbers.js';

/**
 * One run's fetch floor.
 *
 * @example
 * ```ts
 * const floor: FetchFloorResult = { wallMs: 2900, contacts: 25_000, pages: 25, requests: { total: 27, byEndpoint: {} } };
 * ```
 */
export interface FetchFloorResult {
  wallMs: number;
  contacts: number;
  pages: number;
  requests: RequestCounts;
  /** CPU of the provider's process and of the emulator's. */
  cpu: CpuTimes;
}

/**
 * Pages through the book with `provider`, one page after another, writing nothing.
 *
 * @example
 * ```ts
 * const floor = await measureFetchFloor(provider, control);
 * console.log(`${floor.contacts} contacts in ${floor.wallMs} ms`);
 * ```
 */
export async function measureFetchFloor(
  provider: ContactsProvider,
  control: EmulatorControl,
): Promise<FetchFloorResult> {
  await control.resetRequests();
  const stopCpu = await cpuMeter({ emulatorCpu: () => control.emulatorCpu() });
  const started = performance.now();
  await provider.listGroups();
  let contacts = 0;
  let pages = 0;
  let pageToken: string | null = null;
  do {
    const batch = ContactBatch.parse(await provider.fullSync({ pageToken }));
    contacts += batch.contacts.length;
    pages += 1;
    pageToken = batch.next_page_token ?? null;
  } while (pageToken);
  const wallMs = performance.now() - started;
  const cpu = await stopCpu();
  return { wallMs, contacts, pages, requests: await control.requestCounts(), cpu };
}

const ms = z.number().nonnegative();

/** The fetch floor of one driver and size, as the results file keeps it (median of the runs). */
export const FetchFloorSummary = z.object({
  wallMs: ms,
  wallMsRuns: z.array(ms),
  contacts: z.number().int().nonnegative(),
  contactsPerSecond: z.number().nonnegative().nullable(),
  pages: z.number().int().nonnegative(),
  httpRequests: z.number().int().nonnegative(),
  /** The larger of the floor and the database ceiling: what the first full sync is held to. */
  limitMs: ms,
  /** The first full sync's wall time over `limitMs` (the goal is at most 1.3). */
  firstSyncOverLimit: z.number().nonnegative().nullable(),
});
export type FetchFloorSummary = z.infer<typeof FetchFloorSummary>;

/**
 * The median floor of `runs`, and the first full sync's ratio to the larger of it and the
 * ceiling (both medians, as the table shows them).
 *
 * @example
 * ```ts
 * const summary = summarizeFetchFloor([floor], { ceilingMs: 5040, firstSyncMs: 11_600 });
 * summary.firstSyncOverLimit; // 2.3
 * ```
 */
export function summarizeFetchFloor(
  runs: readonly FetchFloorResult[],
  medians: { ceilingMs: number; firstSyncMs: number },
  median: (values: readonly number[]) => number,
): FetchFloorSummary {
  const first = runs[0];
  if (!first) throw new Error('summarizeFetchFloor needs at least one run');
  const wallMs = median(runs.map((r) => r.wallMs));
  const limitMs = Math.max(wallMs, medians.ceilingMs);
  const round = (value: number, digits = 1) => Number(value.toFixed(digits));
  return {
    wallMs: round(wallMs),
    wallMsRuns: runs.map((r) => round(r.wallMs)),
    contacts: first.contacts,
    contactsPerSecond: wallMs > 0 ? round((first.contacts * 1000) / wallMs) : null,
    pages: first.pages,
    httpRequests: first.requests.total,
    limitMs: round(limitMs),
    firstSyncOverLimit: limitMs > 0 ? round(medians.firstSyncMs / limitMs, 2) : null,
  };
}

/**
 * The line after the table: `pglite N=25,000: first full sync 11.6 s = 2.30 x max(fetch floor 3.10 s, ceiling 5.04 s)`.
 *
 * @example
 * ```ts
 * formatFloorLine('pglite', 25_000, 11_600, floor, 5040);
 * ```
 */
export function formatFloorLine(
  driver: string,
  size: number,
  firstSyncMs: number,
  floor: FetchFloorSummary,
  ceilingMs: number,
): string {
  const ratio = floor.firstSyncOverLimit === null ? '-' : floor.firstSyncOverLimit.toFixed(2);
  return (
    `${driver} N=${formatCount(size)}: first full sync ${formatSeconds(firstSyncMs)} s = ${ratio} x ` +
    `max(fetch floor ${formatSeconds(floor.wallMs)} s, ceiling ${formatSeconds(ceilingMs)} s) (goal: at most 1.3)`
  );
}
