import type { BackfillSummary } from '@contacts/core';

/**
 * The order and names every human-readable count line uses: the {@link BackfillSummary} field
 * names, so the command, the MCP tools' texts, the demo and the docs say the same thing.
 * `applied` (created, linked or updated) comes last, as a total: it is what the status's contact
 * count grows by, which `created` alone is not when a contact was linked to a CRM one.
 */
export const SUMMARY_ORDER = [
  'fetched',
  'created',
  'updated',
  'skipped',
  'unchanged',
  'deleted',
  'conflicts',
  'failed',
  'applied',
] as const satisfies readonly (keyof BackfillSummary)[];

/**
 * "fetched 500, created 499, updated 0, skipped 0, unchanged 0, deleted 0, conflicts 0, failed 0, applied 500".
 *
 * @example
 * ```ts
 * ctx.out(`  ${summaryLine(result.summary)}`);
 * ```
 */
export function summaryLine(summary: BackfillSummary): string {
  return SUMMARY_ORDER.map((key) => `${key} ${summary[key]}`).join(', ');
}
