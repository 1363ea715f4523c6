import { formatCardDav } from './carddav/format-carddav.js';
import { formatCpuLine } from './cpu-summary.js';
import { formatFloorLine } from './fetch-floor.js';
import { formatBytes, formatCount, formatSeconds } from './format-numbers.js';
import type { ResultsFile, ScenarioSummary } from './results-file.js';
import { SCENARIOS, type ScenarioName } from './run-types.js';
import { type Column, renderTable } from './text-table.js';

/** Short scenario names for table rows. */
export const SCENARIO_LABELS: Record<ScenarioName | 'ceiling', string> = {
  'full-initial': 'full sync, empty CRM',
  'full-unchanged': 'full sync, unchanged',
  'incremental-changed': 'incremental, 1% changed',
  'incremental-quiet': 'incremental, quiet poll',
  ceiling: 'ceiling: set-based insert',
};

/** The fetch floor's row (beside the ceiling's). */
export const FETCH_FLOOR_LABEL = 'fetch floor: provider alone';

const COLUMNS: Column[] = [
  { header: 'driver' },
  { header: 'N', align: 'right' },
  { header: 'scenario' },
  { header: 'wall s', align: 'right' },
  { header: 'contacts/s', align: 'right' },
  { header: 'of ceiling', align: 'right' },
  { header: 'in provider', align: 'right' },
  { header: 'statements', align: 'right' },
  { header: 'stmts/contact', align: 'right' },
  { header: 'HTTP', align: 'right' },
  { header: 'peak RSS', align: 'right' },
];

const rate = (value: number | null) => (value === null ? '-' : formatCount(value));
const percent = (value: number | null) => (value === null ? '-' : `${Math.round(value * 100)}%`);

function scenarioRow(s: ScenarioSummary): string[] {
  return [
    formatSeconds(s.wallMs),
    rate(s.contactsPerSecond),
    percent(s.fractionOfCeiling),
    percent(s.wallMs > 0 ? s.providerMs / s.wallMs : null),
    formatCount(s.statements),
    s.statementsPerContact === null ? '-' : s.statementsPerContact.toFixed(3),
    String(s.httpRequests),
    formatBytes(s.peakRssBytes),
  ];
}

/**
 * The terminal table of a results file: one row per scenario and one for the ceiling, per driver
 * and size; then each case's process peak RSS and row counts, failed checks and errors.
 */
export function formatResults(results: ResultsFile): string {
  const rows: string[][] = [];
  for (const c of results.cases) {
    const head = (first: boolean) => (first ? [c.driver, formatCount(c.size)] : ['', '']);
    SCENARIOS.forEach((name, i) => {
      rows.push([...head(i === 0), SCENARIO_LABELS[name], ...scenarioRow(c.scenarios[name])]);
    });
    const ceiling = c.ceiling;
    rows.push([
      ...head(false),
      SCENARIO_LABELS.ceiling,
      formatSeconds(ceiling.wallMs),
      rate(ceiling.contactsPerSecond),
      '100%',
      '-',
      formatCount(ceiling.statements),
      ceiling.sourceContacts > 0 ? (ceiling.statements / ceiling.sourceContacts).toFixed(3) : '-',
      '-',
      '-',
    ]);
    const floor = c.fetchFloor;
    if (floor) {
      rows.push([
        ...head(false),
        FETCH_FLOOR_LABEL,
        formatSeconds(floor.wallMs),
        rate(floor.contactsPerSecond),
        percent(
          floor.contactsPerSecond !== null && ceiling.contactsPerSecond
            ? floor.contactsPerSecond / ceiling.contactsPerSecond
            : null,
        ),
        '100%',
        '-',
        '-',
        String(floor.httpRequests),
        '-',
      ]);
    }
  }
  const { options } = results;
  const commit = `commit ${results.revision.commit?.slice(0, 10) ?? 'unknown'}${results.revision.dirty ? ' + uncommitted changes' : ''}`;
  const out = [
    results.cases.length === 0
      ? `contacts-sync benchmark: ${commit}`
      : `contacts-sync benchmark: median of ${options.runs} run${options.runs === 1 ? '' : 's'}, seed ${options.seed}, ` +
        `${Math.round(options.changeFraction * 100)}% changed before the incremental sync; ${commit}`,
    '',
    rows.length > 0 ? renderTable(COLUMNS, rows) : '(no Google scenarios in this run)',
    '',
  ];
  for (const c of results.cases) {
    if (c.fetchFloor) {
      out.push(
        formatFloorLine(c.driver, c.size, c.scenarios['full-initial'].wallMs, c.fetchFloor, c.ceiling.wallMs),
      );
    }
    if (c.cpu && c.fetchFloor) {
      const walls = {
        firstSyncMs: c.scenarios['full-initial'].wallMs,
        ceilingMs: c.ceiling.wallMs,
        fetchFloorMs: c.fetchFloor.wallMs,
      };
      out.push(formatCpuLine(c.driver, c.size, c.cpu, walls, results.machine.cpus));
    }
  }
  for (const c of results.cases) {
    const perContact = c.ceiling.contacts > 0 ? (c.ceiling.totalRows / c.ceiling.contacts).toFixed(1) : '-';
    const retained = c.scenarios['full-initial'].heapAfterGcBytes;
    out.push(
      `${c.driver} N=${formatCount(c.size)}: process peak RSS ${formatBytes(c.processMaxRssBytes)} (maxRSS); ` +
        (typeof retained === 'number'
          ? `heap retained after the first full sync ${formatBytes(retained)} (after a full GC); `
          : '') +
        `${formatCount(c.ceiling.contacts)} CRM contacts, ${formatCount(c.ceiling.totalRows)} rows (${perContact} a contact); ` +
        `checks ${c.checks.passed} passed, ${c.checks.failed.length} failed`,
    );
    for (const f of c.checks.failed) {
      out.push(`  FAILED run ${f.run} ${f.scenario}: ${f.name}: expected ${f.expected}, got ${f.actual}`);
    }
  }
  const carddav = formatCardDav(results);
  if (carddav) out.push('', carddav);
  for (const e of results.errors)
    out.push(`ERROR ${e.driver} N=${formatCount(e.size)} run ${e.run}: ${e.message}`);
  return out.join('\n');
}
