/** `25,000`: thousands separated, whatever the locale of the machine. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Seconds with 2 decimals below 10 s, 1 above: `0.42`, `12.3`. */
export function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return s < 10 ? s.toFixed(2) : s.toFixed(1);
}

/** Megabytes, whole: `1,104 MB`. */
export function formatBytes(bytes: number): string {
  return `${formatCount(bytes / 1_000_000)} MB`;
}

/** A signed percentage change from `before` to `after`: `+12.5%`, `-3.0%`, `n/a`. */
export function formatChange(before: number | null, after: number | null): string {
  if (before === null || after === null || before === 0) return 'n/a';
  const change = ((after - before) / before) * 100;
  return `${change >= 0 ? '+' : ''}${change.toFixed(1)}%`;
}
