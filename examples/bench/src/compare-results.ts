import { compareCardDav } from './carddav/format-carddav.js';
import { formatBytes, formatChange, formatCount, formatSeconds } from './format-numbers.js';
import { SCENARIO_LABELS } from './format-results.js';
import type { CaseSummary, ResultsFile } from './results-file.js';
import { SCENARIOS } from './run-types.js';
import { type Column, renderTable } from './text-table.js';

const COLUMNS: Column[] = [
  { header: 'driver' },
  { header: 'N', align: 'right' },
  { header: 'scenario' },
  { header: 'wall s old', align: 'right' },
  { header: 'new', align: 'right' },
  { header: 'change', align: 'right' },
  { header: 'contacts/s change', align: 'right' },
  { header: 'stmts old', align: 'right' },
  { header: 'new', align: 'right' },
  { header: 'HTTP old', align: 'right' },
  { header: 'new', align: 'right' },
  { header: 'peak RSS old', align: 'right' },
  { header: 'new', align: 'right' },
];

const key = (c: Pick<CaseSummary, 'driver' | 'size'>) => `${c.driver} ${c.size}`;

/**
 * The deltas from `before` to `after`, per driver, size and scenario (ceiling included): wall
 * time, throughput, statements, HTTP requests and peak RSS. Cases only one file has are listed
 * below the table. Timing deltas are information, never a verdict.
 *
 * @example
 * ```ts
 * console.log(compareResults(await readResultsFile(old), await readResultsFile(latest)));
 * ```
 */
export function compareResults(before: ResultsFile, after: ResultsFile): string {
  const old = new Map(before.cases.map((c) => [key(c), c]));
  const rows: string[][] = [];
  for (const c of after.cases) {
    const o = old.get(key(c));
    if (!o) continue;
    SCENARIOS.forEach((name, i) => {
      const [a, b] = [o.scenarios[name], c.scenarios[name]];
      rows.push([
        i === 0 ? c.driver : '',
        i === 0 ? formatCount(c.size) : '',
        SCENARIO_LABELS[name],
        formatSeconds(a.wallMs),
        formatSeconds(b.wallMs),
        formatChange(a.wallMs, b.wallMs),
        formatChange(a.contactsPerSecond, b.contactsPerSecond),
        formatCount(a.statements),
        formatCount(b.statements),
        String(a.httpRequests),
        String(b.httpRequests),
        formatBytes(a.peakRssBytes),
        formatBytes(b.peakRssBytes),
      ]);
    });
    rows.push([
      '',
      '',
      SCENARIO_LABELS.ceiling,
      formatSeconds(o.ceiling.wallMs),
      formatSeconds(c.ceiling.wallMs),
      formatChange(o.ceiling.wallMs, c.ceiling.wallMs),
      formatChange(o.ceiling.contactsPerSecond, c.ceiling.contactsPerSecond),
      formatCount(o.ceiling.statements),
      formatCount(c.ceiling.statements),
      '-',
      '-',
      '-',
      '-',
    ]);
    rows.push([
      '',
      '',
      'process peak RSS (maxRSS)',
      ...Array.from({ length: 8 }, () => ''),
      formatBytes(o.processMaxRssBytes),
      formatBytes(c.processMaxRssBytes),
    ]);
  }
  const lines = [
    `Compared: ${before.startedAt} (old) -> ${after.startedAt} (new); wall time change: negative is faster.`,
    '',
    rows.length > 0 ? renderTable(COLUMNS, rows) : '(no driver and size in common)',
  ];
  const carddav = compareCardDav(before, after);
  if (carddav) lines.push('', carddav);
  const onlyOld = before.cases.filter((c) => !after.cases.some((a) => key(a) === key(c)));
  const onlyNew = after.cases.filter((c) => !old.has(key(c)));
  if (onlyOld.length > 0)
    lines.push(`only in old: ${onlyOld.map((c) => `${c.driver} N=${formatCount(c.size)}`).join(', ')}`);
  if (onlyNew.length > 0)
    lines.push(`only in new: ${onlyNew.map((c) => `${c.driver} N=${formatCount(c.size)}`).join(', ')}`);
  if (before.machine.cpuModel !== after.machine.cpuModel || before.machine.cpus !== after.machine.cpus) {
    lines.push(
      `note: different machines (${before.machine.cpus} x ${before.machine.cpuModel} vs ${after.machine.cpus} x ${after.machine.cpuModel})`,
    );
  }
  return lines.join('\n');
}
