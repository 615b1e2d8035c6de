/** A plain-text table: one header row, columns padded to their widest cell, long cells cut with "…". */
export interface Column<Row> {
  title: string;
  value: (row: Row) => string | undefined;
  /** Cells longer than this are cut; default no limit. */
  max?: number;
}

function cut(text: string, max: number | undefined): string {
  const clean = text.replace(/\s+/g, " ");
  if (max === undefined || clean.length <= max) return clean;
  return `${clean.slice(0, Math.max(1, max - 1))}…`;
}

export function renderTable<Row>(rows: readonly Row[], columns: ReadonlyArray<Column<Row>>): string {
  const cells = rows.map((row) => columns.map((c) => cut(c.value(row) ?? "-", c.max)));
  const widths = columns.map((c, i) => Math.max(c.title.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(columns.map((c) => c.title)), ...cells.map(line)].join("\n");
}
