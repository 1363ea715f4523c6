import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { benchChart } from './bench-chart.js';
import { type ChartFigure, renderChartSvg } from './chart-svg.js';
import { parseCommand, UsageError } from './cli-options.js';
import { ResultsFile } from './results-file.js';

/**
 * Whether `text` is well-formed XML, as far as the SVG written uses it: one root, every tag
 * closed in order, attributes quoted, no raw `<` or bare `&` in text or attribute values.
 */
function wellFormed(text: string): boolean {
  const body = text.replace(/^<\?xml [^?]*\?>\s*/, '');
  const token = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)|(<)/g;
  const entity = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g;
  const open: string[] = [];
  let roots = 0;
  for (const match of body.matchAll(token)) {
    const [, closing, name, attributes, selfClosing, chars, stray] = match;
    if (stray !== undefined) return false;
    if (chars !== undefined) {
      if (open.length === 0 && chars.trim() !== '') return false;
      if (chars.replace(entity, '').includes('&')) return false;
      continue;
    }
    if (attributes?.replace(entity, '').includes('&')) return false;
    if (closing) {
      if (open.pop() !== name) return false;
    } else {
      if (open.length === 0) roots += 1;
      if (!selfClosing) open.push(name as string);
    }
  }
  return open.length === 0 && roots === 1;
}

/** One driver's line from `[x, y]` pairs. */
const line = (label: string, ...points: [number, number][]) => ({
  label,
  points: points.map(([x, y]) => ({ x, y })),
});

const FIGURE: ChartFigure = {
  title: 'First full sync <synthetic> & friends',
  subtitle: 'commit abc1234',
  panels: [
    {
      title: 'Throughput',
      xLabel: 'people in the book',
      yLabel: 'contacts/s',
      // PGlite's points out of order: the chart sorts them.
      lines: [
        line('PGlite', [25_000, 2164], [1000, 706], [5000, 1078]),
        line('PostgreSQL', [1000, 1902], [5000, 2489], [25_000, 2835]),
      ],
    },
    {
      title: 'Peak RSS',
      xLabel: 'people in the book',
      yLabel: 'MB',
      lines: [
        line('PGlite', [1000, 639], [5000, 764], [25_000, 997]),
        line('PostgreSQL', [1000, 286], [5000, 354], [25_000, 476]),
      ],
    },
  ],
};

/** The SVG of each `<g class="chart">` panel. */
const panelsOf = (svg: string) => [...svg.matchAll(/<g class="chart"[\s\S]*?\n<\/g>/g)].map((m) => m[0]);

describe('renderChartSvg', () => {
  it('writes well-formed SVG: two panels, one polyline per driver in each, axes, ticks, labels, legends', () => {
    const svg = renderChartSvg(FIGURE);
    expect(wellFormed(svg)).toBe(true);
    expect(wellFormed('<svg><g></svg></g>')).toBe(false); // the checker itself rejects bad nesting
    expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
    expect(svg).toContain('First full sync &lt;synthetic&gt; &amp; friends');
    const panels = panelsOf(svg);
    expect(panels).toHaveLength(2);
    for (const panel of panels) {
      const series = [...panel.matchAll(/<polyline [^>]*data-series="([^"]+)"[^>]*points="([^"]+)"/g)];
      expect(series.map((m) => m[1])).toEqual(['PGlite', 'PostgreSQL']);
      // three points each, drawn left to right
      for (const m of series) {
        const xs = (m[2] as string).split(' ').map((p) => Number(p.split(',')[0]));
        expect(xs).toHaveLength(3);
        expect([...xs].sort((a, b) => a - b)).toEqual(xs);
      }
      expect(panel).toContain('people in the book');
      for (const tick of ['>1k<', '>5k<', '>25k<']) expect(panel).toContain(tick);
      expect(panel.match(/class="legend"/g)).toHaveLength(2);
      expect(panel.match(/class="axis"/g)).toHaveLength(2);
    }
    expect(panels[0]).toContain('contacts/s');
    expect(panels[1]).toContain('>MB<');
    // A driver keeps its colour across panels.
    const colour = (panel: string, label: string) =>
      new RegExp(`data-series="${label}" fill="none" stroke="(#[0-9A-F]+)"`).exec(panel)?.[1];
    expect(colour(panels[0] as string, 'PGlite')).toBe(colour(panels[1] as string, 'PGlite'));
    expect(colour(panels[0] as string, 'PGlite')).not.toBe(colour(panels[0] as string, 'PostgreSQL'));
  });

  it('draws a single size (a --quick run) and a lone driver', () => {
    const svg = renderChartSvg({
      title: 'quick',
      panels: [
        { title: 't', xLabel: 'x', yLabel: 'y', lines: [{ label: 'PGlite', points: [{ x: 1000, y: 0 }] }] },
      ],
    });
    expect(wellFormed(svg)).toBe(true);
    expect(svg).not.toContain('NaN');
    expect(svg.match(/<polyline /g)).toHaveLength(1);
  });
});

describe('the bench chart', () => {
  const root = new URL('../../../', import.meta.url);
  const baseline = ResultsFile.parse(
    JSON.parse(readFileSync(new URL('examples/bench/results/baseline.json', root), 'utf8')),
  );

  it('draws both drivers of the baseline, and docs/bench-chart.svg is that drawing', () => {
    const figure = benchChart(baseline);
    expect(figure?.panels.map((p) => p.lines.map((l) => l.label))).toEqual([
      ['PGlite', 'PostgreSQL'],
      ['PGlite', 'PostgreSQL'],
    ]);
    const svg = renderChartSvg(figure as ChartFigure);
    // Refresh it with: pnpm bench --chart docs/bench-chart.svg --from examples/bench/results/baseline.json
    expect(readFileSync(new URL('docs/bench-chart.svg', root), 'utf8')).toBe(svg);
    expect(benchChart({ ...baseline, cases: [] })).toBeNull();
  });

  it('takes --chart FILE for a run, and --chart with --from to draw a file without running', () => {
    const parse = (...argv: string[]) => parseCommand(argv, {}, '/repo');
    expect(parse('--quick')).toMatchObject({
      kind: 'run',
      chart: expect.stringMatching(/results\/latest\.svg$/),
    });
    expect(parse('--out', 'r/mine.json')).toMatchObject({
      out: '/repo/r/mine.json',
      chart: '/repo/r/mine.svg',
    });
    expect(parse('--quick', '--chart', 'c.svg')).toMatchObject({ kind: 'run', chart: '/repo/c.svg' });
    expect(parse('--chart', 'docs/c.svg', '--from', 'base.json')).toEqual({
      kind: 'chart',
      from: '/repo/base.json',
      chart: '/repo/docs/c.svg',
    });
    expect(() => parse('--from', 'base.json')).toThrow(/--chart/);
    expect(() => parse('--chart', 'c.svg', '--from', 'b.json', '--quick')).toThrow(UsageError);
  });
});
