/**
 * Small line charts drawn as SVG text, by hand: no charting dependency for two panels of a few
 * points each. Panels sit side by side; each has its axes with ticks and labels, one polyline
 * (with a dot per point) per series, and a legend. A series keeps its colour in every panel.
 */

/**
 * One series of a panel (a driver): its points, in any order (drawn by ascending x).
 *
 * @example
 * ```ts
 * const line: ChartLine = { label: 'pglite', points: [{ x: 1000, y: 706 }, { x: 5000, y: 1078 }] };
 * ```
 */
export interface ChartLine {
  label: string;
  points: readonly { x: number; y: number }[];
}

/**
 * One panel: its title, axis labels, series, and how tick values are written.
 *
 * @example
 * ```ts
 * const panel: ChartPanel = { title: 'Throughput', xLabel: 'people', yLabel: 'contacts/s', lines: [line] };
 * ```
 */
export interface ChartPanel {
  title: string;
  xLabel: string;
  yLabel: string;
  lines: readonly ChartLine[];
  /** Log scale on x (sizes that grow by factors); linear otherwise. Default true. */
  logX?: boolean;
  formatX?: (value: number) => string;
  formatY?: (value: number) => string;
}

/**
 * A figure: a heading, an optional line under it, and its panels left to right.
 *
 * @example
 * ```ts
 * const svg = renderChartSvg({ title: 'pnpm bench', subtitle: 'commit abc1234', panels: [panel] });
 * ```
 */
export interface ChartFigure {
  title: string;
  subtitle?: string;
  panels: readonly ChartPanel[];
}

const PANEL = { width: 440, height: 320 };
const PLOT = { left: 70, right: 28, top: 58, bottom: 52 };
const INSET = 18;
const HEADER = 56;
/** Colour-blind-safe (Okabe-Ito), one per series label in order of first appearance. */
const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9'];

/** Text as it may stand in SVG content or a quoted attribute. */
function escapeXml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}

/** Coordinates rounded to 0.1 px: short, stable text. */
const px = (value: number) => String(Math.round(value * 10) / 10);

/** A step of 1, 2 or 5 times a power of ten giving about `count` ticks up to `max`. */
function niceStep(max: number, count: number): number {
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
  return step ?? 10 * power;
}

/** `25k`, `1.5k`, `800`: compact tick labels. */
function compact(value: number): string {
  if (Math.abs(value) >= 1000) {
    const k = value / 1000;
    return `${Number.isInteger(k) ? k : k.toFixed(1)}k`;
  }
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

function renderPanel(panel: ChartPanel, offsetX: number, colourOf: (label: string) => string): string {
  const points = panel.lines.flatMap((l) => l.points);
  const formatX = panel.formatX ?? compact;
  const formatY = panel.formatY ?? compact;
  const plot = {
    x0: offsetX + PLOT.left,
    x1: offsetX + PANEL.width - PLOT.right,
    y0: HEADER + PANEL.height - PLOT.bottom,
    y1: HEADER + PLOT.top,
  };
  const xs = [...new Set(points.map((p) => p.x))].sort((a, b) => a - b);
  const logX = (panel.logX ?? true) && xs.every((x) => x > 0);
  const fx = (x: number) => (logX ? Math.log10(x) : x);
  const [lo, hi] = [fx(xs[0] ?? 0), fx(xs.at(-1) ?? 1)];
  // One distinct x (a --quick run): the points stand in the middle.
  // The first and last points stand a little inside the axis, clear of its ends.
  const [left, right] = [plot.x0 + INSET, plot.x1 - INSET];
  const scaleX = (x: number) =>
    hi === lo ? (left + right) / 2 : left + ((fx(x) - lo) / (hi - lo)) * (right - left);
  const maxY = Math.max(0, ...points.map((p) => p.y));
  const step = niceStep(maxY > 0 ? maxY : 1, 5);
  const topY = Math.max(step, Math.ceil(maxY / step) * step);
  const scaleY = (y: number) => plot.y0 - (y / topY) * (plot.y0 - plot.y1);

  const out: string[] = [`<g class="chart" data-title="${escapeXml(panel.title)}">`];
  out.push(
    `<text class="panel-title" x="${px(offsetX + PANEL.width / 2)}" y="${HEADER + 22}" text-anchor="middle" font-weight="bold">${escapeXml(panel.title)}</text>`,
  );
  // Grid and y ticks.
  for (let y = 0; y <= topY + step / 2; y += step) {
    const sy = px(scaleY(y));
    out.push(
      `<line x1="${px(plot.x0)}" y1="${sy}" x2="${px(plot.x1)}" y2="${sy}" stroke="#e5e5e5"/>`,
      `<line x1="${px(plot.x0 - 5)}" y1="${sy}" x2="${px(plot.x0)}" y2="${sy}" stroke="#333"/>`,
      `<text class="tick" x="${px(plot.x0 - 8)}" y="${sy}" text-anchor="end" dominant-baseline="middle">${escapeXml(formatY(y))}</text>`,
    );
  }
  // x ticks: at the values measured (the book sizes), not at round numbers between them.
  for (const x of xs) {
    const sx = px(scaleX(x));
    out.push(
      `<line x1="${sx}" y1="${px(plot.y0)}" x2="${sx}" y2="${px(plot.y0 + 5)}" stroke="#333"/>`,
      `<text class="tick" x="${sx}" y="${px(plot.y0 + 18)}" text-anchor="middle">${escapeXml(formatX(x))}</text>`,
    );
  }
  // Axes and their labels.
  out.push(
    `<line class="axis" x1="${px(plot.x0)}" y1="${px(plot.y0)}" x2="${px(plot.x1)}" y2="${px(plot.y0)}" stroke="#333"/>`,
    `<line class="axis" x1="${px(plot.x0)}" y1="${px(plot.y0)}" x2="${px(plot.x0)}" y2="${px(plot.y1)}" stroke="#333"/>`,
    `<text class="axis-label" x="${px((plot.x0 + plot.x1) / 2)}" y="${px(plot.y0 + 40)}" text-anchor="middle">${escapeXml(panel.xLabel)}</text>`,
    `<text class="axis-label" transform="translate(${px(offsetX + 16)} ${px((plot.y0 + plot.y1) / 2)}) rotate(-90)" text-anchor="middle">${escapeXml(panel.yLabel)}</text>`,
  );
  // One polyline (and its dots) per series.
  for (const line of panel.lines) {
    const colour = colourOf(line.label);
    const sorted = [...line.points].sort((a, b) => a.x - b.x);
    const coords = sorted.map((p) => `${px(scaleX(p.x))},${px(scaleY(p.y))}`);
    out.push(
      `<polyline class="series" data-series="${escapeXml(line.label)}" fill="none" stroke="${colour}" stroke-width="2" points="${coords.join(' ')}"/>`,
      ...sorted.map(
        (p) =>
          `<circle cx="${px(scaleX(p.x))}" cy="${px(scaleY(p.y))}" r="3.5" fill="${colour}"><title>${escapeXml(`${line.label}: ${formatX(p.x)}, ${formatY(p.y)}`)}</title></circle>`,
      ),
    );
  }
  // Legend: under the title, a swatch and the label per series.
  panel.lines.forEach((line, i) => {
    const lx = plot.x0 + 10 + i * 110;
    const ly = HEADER + 40;
    out.push(
      `<g class="legend-entry"><line x1="${px(lx)}" y1="${px(ly)}" x2="${px(lx + 22)}" y2="${px(ly)}" stroke="${colourOf(line.label)}" stroke-width="3"/>`,
      `<text class="legend" x="${px(lx + 28)}" y="${px(ly)}" dominant-baseline="middle">${escapeXml(line.label)}</text></g>`,
    );
  });
  out.push('</g>');
  return out.join('\n');
}

/**
 * The figure as a standalone SVG document (UTF-8, no external resource): panels side by side,
 * each with axes, ticks, labels, a legend and one polyline per series.
 *
 * @example
 * ```ts
 * const svg = renderChartSvg({
 *   title: 'First full sync',
 *   panels: [{ title: 'Throughput', xLabel: 'people', yLabel: 'contacts/s', lines: [{ label: 'pglite', points: [{ x: 1000, y: 706 }] }] }],
 * });
 * await writeFile('chart.svg', svg);
 * ```
 */
export function renderChartSvg(figure: ChartFigure): string {
  const labels = [...new Set(figure.panels.flatMap((p) => p.lines.map((l) => l.label)))];
  const colourOf = (label: string) => PALETTE[labels.indexOf(label) % PALETTE.length] ?? '#333';
  const width = Math.max(1, figure.panels.length) * PANEL.width;
  const height = HEADER + PANEL.height;
  const parts = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12" role="img" aria-labelledby="chart-title">`,
    // The title element names the chart for screen readers (the visible heading is a text element).
    `<title id="chart-title">${escapeXml(figure.title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text class="figure-title" x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(figure.title)}</text>`,
    ...(figure.subtitle
      ? [
          `<text class="figure-subtitle" x="${width / 2}" y="42" text-anchor="middle" fill="#555">${escapeXml(figure.subtitle)}</text>`,
        ]
      : []),
    ...figure.panels.map((panel, i) => renderPanel(panel, i * PANEL.width, colourOf)),
    '</svg>',
    '',
  ];
  return parts.join('\n');
}
