import { formatBytes, formatChange, formatCount, formatSeconds } from '../format-numbers.js';
import type { ResultsFile } from '../results-file.js';
import { type Column, renderTable } from '../text-table.js';
import type { CardDavScenarioSummary } from './carddav-summary.js';
import { CARDDAV_SCENARIO_LABELS, CARDDAV_SCENARIOS } from './carddav-types.js';

const COLUMNS: Column[] = [
  { header: 'driver' },
  { header: 'cards', align: 'right' },
  { header: 'scenario' },
  { header: 'wall s', align: 'right' },
  { header: 'cards/s', align: 'right' },
  { header: 'at server', align: 'right' },
  { header: 'HTTP', align: 'right' },
  { header: 'by method' },
  { header: 'statements', align: 'right' },
  { header: 'pages', align: 'right' },
  { header: 'peak RSS', align: 'right' },
];

/** `PROPFIND 10, REPORT 15`: requests per method, most first. */
export function formatMethods(byMethod: Record<string, number>): string {
  return Object.entries(byMethod)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([method, n]) => `${method} ${n}`)
    .join(', ');
}

function row(s: CardDavScenarioSummary): string[] {
  return [
    formatSeconds(s.wallMs),
    s.contactsPerSecond === null ? '-' : formatCount(s.contactsPerSecond),
    s.wallMs > 0 ? `${Math.round((s.serverBusyMs / s.wallMs) * 100)}%` : '-',
    String(s.httpRequests),
    formatMethods(s.httpRequestsByMethod),
    formatCount(s.statements),
    String(s.pages),
    formatBytes(s.peakRssBytes),
  ];
}

/**
 * The CardDAV table of a results file (one row per scenario, per driver), each case's checks, and
 * why the scenarios were skipped when they were; empty when the file has no CardDAV part.
 */
export function formatCardDav(results: ResultsFile): string {
  if (results.carddavSkipped) return `CardDAV scenarios skipped: ${results.carddavSkipped}`;
  const cases = results.carddav ?? [];
  if (cases.length === 0) return '';
  const rows: string[][] = [];
  for (const c of cases) {
    CARDDAV_SCENARIOS.forEach((name, i) => {
      rows.push([
        i === 0 ? c.driver : '',
        i === 0 ? formatCount(c.cards) : '',
        CARDDAV_SCENARIO_LABELS[name],
        ...row(c.scenarios[name]),
      ]);
    });
  }
  const [first] = cases;
  const out = [
    `CardDAV on Radicale, through the contacts module: median of ${first?.runs ?? 0} run(s); ` +
      `${first?.edited ?? 0} cards edited before the incremental sync; "at server": share of wall time a request was waiting for Radicale`,
    '',
    renderTable(COLUMNS, rows),
    '',
  ];
  for (const c of cases) {
    out.push(
      `carddav ${c.driver} N=${formatCount(c.cards)}: process peak RSS ${formatBytes(c.processMaxRssBytes)} (maxRSS); ` +
        `checks ${c.checks.passed} passed, ${c.checks.failed.length} failed`,
    );
    for (const f of c.checks.failed) {
      out.push(`  FAILED run ${f.run} ${f.scenario}: ${f.name}: expected ${f.expected}, got ${f.actual}`);
    }
  }
  return out.join('\n');
}

const COMPARE_COLUMNS: Column[] = [
  { header: 'driver' },
  { header: 'cards', align: 'right' },
  { header: 'scenario' },
  { header: 'wall s old', align: 'right' },
  { header: 'new', align: 'right' },
  { header: 'change', align: 'right' },
  { header: 'HTTP old', align: 'right' },
  { header: 'new', align: 'right' },
  { header: 'stmts old', align: 'right' },
  { header: 'new', align: 'right' },
];

/** The CardDAV deltas from `before` to `after` (same driver and book size); empty when none in common. */
export function compareCardDav(before: ResultsFile, after: ResultsFile): string {
  const key = (c: { driver: string; cards: number }) => `${c.driver} ${c.cards}`;
  const old = new Map((before.carddav ?? []).map((c) => [key(c), c]));
  const rows: string[][] = [];
  for (const c of after.carddav ?? []) {
    const o = old.get(key(c));
    if (!o) continue;
    CARDDAV_SCENARIOS.forEach((name, i) => {
      const [a, b] = [o.scenarios[name], c.scenarios[name]];
      rows.push([
        i === 0 ? c.driver : '',
        i === 0 ? formatCount(c.cards) : '',
        CARDDAV_SCENARIO_LABELS[name],
        formatSeconds(a.wallMs),
        formatSeconds(b.wallMs),
        formatChange(a.wallMs, b.wallMs),
        String(a.httpRequests),
        String(b.httpRequests),
        formatCount(a.statements),
        formatCount(b.statements),
      ]);
    });
  }
  return rows.length > 0 ? `CardDAV:\n\n${renderTable(COMPARE_COLUMNS, rows)}` : '';
}
