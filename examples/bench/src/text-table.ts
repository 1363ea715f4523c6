/** A column of a {@link renderTable} table. */
export interface Column {
  header: string;
  align?: 'left' | 'right';
}

/**
 * A plain-text table, columns padded to their widest cell, two spaces apart: readable in a
 * terminal and in CI logs, and pasteable into Markdown as a code block.
 *
 * @example
 * ```ts
 * renderTable([{ header: 'N', align: 'right' }, { header: 'wall s', align: 'right' }], [['1,000', '0.82']]);
 * ```
 */
export function renderTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((c, i) => Math.max(c.header.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    columns
      .map((c, i) => {
        const cell = cells[i] ?? '';
        const width = widths[i] ?? 0;
        return c.align === 'right' ? cell.padStart(width) : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join(
    '\n',
  );
}
