import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { PROVIDER_ERROR_CODES } from '../provider/provider-error.js';
import { SYNC_POLICY, SYNC_POLICY_COLUMNS, syncPolicyRow } from './sync-policy.js';

const MARKER = '<!-- sync-policy-table:';

/** The markdown table right after the marker comment, as trimmed cells per row (header first). */
function docsTable(doc: string): string[][] {
  const at = doc.indexOf(MARKER);
  expect(at, 'docs/providers.md has the sync policy table marker').toBeGreaterThan(-1);
  const lines = doc.slice(at).split('\n').slice(1);
  const rows: string[][] = [];
  for (const line of lines) {
    if (!line.trim().startsWith('|')) break;
    rows.push(
      line
        .trim()
        .replace(/^\||\|$/g, '')
        .split('|')
        .map((cell) => cell.trim()),
    );
  }
  // Drop the separator row (| --- | :--- |).
  return rows.filter((cells) => !cells.every((cell) => /^:?-+:?$/.test(cell)));
}

it("docs/providers.md's table of what each code makes the engine do is SYNC_POLICY", () => {
  const doc = readFileSync(new URL('../../../../docs/providers.md', import.meta.url), 'utf8');
  const [header, ...rows] = docsTable(doc);
  expect(header).toEqual([...SYNC_POLICY_COLUMNS]);
  expect(rows).toEqual(PROVIDER_ERROR_CODES.map((code) => syncPolicyRow(code)));
  // And each parsed row reads back as the policy's own values, column by column.
  for (const cells of rows) {
    const code = cells[0]!.replaceAll('`', '') as keyof typeof SYNC_POLICY;
    const row = SYNC_POLICY[code];
    expect(cells.slice(1).map((c) => c.replaceAll('`', ''))).toEqual([
      row.when,
      row.inListing,
      row.afterCycle,
      row.retryable ? 'yes' : 'no',
      row.sourceStatus,
      String(row.exitCode),
      row.does,
    ]);
  }
});
