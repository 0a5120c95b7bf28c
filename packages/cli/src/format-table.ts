/** A column of a text table. */
export interface Column<R> {
  header: string;
  value: (row: R) => string | number;
  /** Right-align (numbers). Default: true for numbers. */
  right?: boolean;
}

/** Renders rows as an aligned plain-text table. */
export function formatTable<R>(rows: R[], columns: Column<R>[]): string {
  const cells = rows.map((r) => columns.map((c) => String(c.value(r))));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((row) => row[i]!.length)));
  const right = columns.map((c, i) => c.right ?? rows.every((r) => typeof c.value(r) === 'number' || /^[\d.,\s%x-]+$/.test(cells[0]?.[i] ?? '')));
  const line = (values: string[]) => values.map((v, i) => (right[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(columns.map((c) => c.header)), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/** 7139704 -> "7.14M", 718086176 -> "718.09M", 8.4e9 -> "8.37G". */
export function humanCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}K`;
  return String(n);
}

/** 1234567 -> "1,234,567". */
export function grouped(n: number): string {
  return n.toLocaleString('en-US');
}
