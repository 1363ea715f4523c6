import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type ChartFigure, type ChartLine, renderChartSvg } from './chart-svg.js';
import { formatCount } from './format-numbers.js';
import type { CaseSummary, ResultsFile } from './results-file.js';

/** Points of one measure per driver, by book size, in the drivers' order of appearance. */
function linesOf(cases: readonly CaseSummary[], measure: (c: CaseSummary) => number | null): ChartLine[] {
  const byDriver = new Map<string, { x: number; y: number }[]>();
  for (const c of cases) {
    const y = measure(c);
    if (y === null) continue;
    const points = byDriver.get(c.driver) ?? [];
    points.push({ x: c.size, y });
    byDriver.set(c.driver, points);
  }
  return [...byDriver].map(([label, points]) => ({ label, points }));
}

/** PGlite and PostgreSQL as people know them. */
const DRIVER_NAMES: Record<string, string> = { pglite: 'PGlite', postgres: 'PostgreSQL' };

/**
 * The chart of a results file's Google cases: the first full sync's contacts per second, and the
 * process's peak RSS (`maxRSS`: the kernel's figure, over the four syncs), against the book size,
 * one line per driver. Null when the file holds no Google case (a CardDAV-only run).
 *
 * @example
 * ```ts
 * const figure = benchChart(await readResultsFile('examples/bench/results/baseline.json'));
 * if (figure) console.log(figure.panels.map((p) => p.title));
 * ```
 */
export function benchChart(results: ResultsFile): ChartFigure | null {
  if (results.cases.length === 0) return null;
  const named = (lines: ChartLine[]) => lines.map((l) => ({ ...l, label: DRIVER_NAMES[l.label] ?? l.label }));
  const commit = results.revision.commit?.slice(0, 7) ?? 'unknown commit';
  const runs = results.options.runs;
  return {
    title: 'pnpm bench: first full sync of a generated Google address book (emulator)',
    subtitle: `commit ${commit}${results.revision.dirty ? ' (dirty)' : ''}, ${runs === 1 ? '1 run' : `median of ${runs} runs`}, ${results.machine.cpus} CPUs (${results.machine.cpuModel}), node ${results.machine.node}`,
    panels: [
      {
        title: 'Throughput (contacts per second)',
        xLabel: 'people in the book',
        yLabel: 'contacts/s',
        lines: named(linesOf(results.cases, (c) => c.scenarios['full-initial'].contactsPerSecond)),
        formatY: formatCount,
      },
      {
        title: 'Peak RSS of the sync process (maxRSS)',
        xLabel: 'people in the book',
        yLabel: 'MB',
        lines: named(linesOf(results.cases, (c) => c.processMaxRssBytes / 1_000_000)),
        formatY: formatCount,
      },
    ],
  };
}

/**
 * Writes the chart of `results` to `file` (creating its folder) and returns true; false, writing
 * nothing, when there is nothing to draw (no Google case).
 *
 * @example
 * ```ts
 * await writeBenchChart('docs/bench-chart.svg', await readResultsFile('examples/bench/results/baseline.json'));
 * ```
 */
export async function writeBenchChart(file: string, results: ResultsFile): Promise<boolean> {
  const figure = benchChart(results);
  if (!figure) return false;
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, renderChartSvg(figure));
  return true;
}
