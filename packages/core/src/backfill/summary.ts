/**
 * What applying contacts did. `fetched` counts every contact handed in; `applied` those written
 * (created, linked or updated); `skipped` those needing no write (same etag, nothing to do);
 * `unchanged` those the provider reported as holding the version the engine holds (neither sent
 * nor written: not in `fetched`); `deleted` tombstones applied; `created` new CRM contacts; `updated` existing CRM contacts whose
 * data changed; `conflicts` fields a person edited that the source now disagrees with; `failed`
 * contacts recorded in `contacts_sync_failures`.
 *
 * @example
 * ```ts
 * const total = addSummaries(emptySummary(), pageSummary);
 * ```
 */
export interface BackfillSummary {
  fetched: number;
  applied: number;
  skipped: number;
  unchanged: number;
  deleted: number;
  created: number;
  updated: number;
  conflicts: number;
  failed: number;
}

/**
 * A summary of nothing.
 *
 * @example
 * ```ts
 * let total = emptySummary(); // every count 0
 * for (const page of pages) total = addSummaries(total, await engine.applyBatch(page.contacts));
 * ```
 */
export function emptySummary(): BackfillSummary {
  return {
    fetched: 0,
    applied: 0,
    skipped: 0,
    unchanged: 0,
    deleted: 0,
    created: 0,
    updated: 0,
    conflicts: 0,
    failed: 0,
  };
}

/**
 * Field-wise sum of two summaries.
 *
 * @example
 * ```ts
 * const total = addSummaries(firstPage, secondPage);
 * total.created === firstPage.created + secondPage.created; // true
 * ```
 */
export function addSummaries(a: BackfillSummary, b: BackfillSummary): BackfillSummary {
  return {
    fetched: a.fetched + b.fetched,
    applied: a.applied + b.applied,
    skipped: a.skipped + b.skipped,
    unchanged: a.unchanged + b.unchanged,
    deleted: a.deleted + b.deleted,
    created: a.created + b.created,
    updated: a.updated + b.updated,
    conflicts: a.conflicts + b.conflicts,
    failed: a.failed + b.failed,
  };
}
