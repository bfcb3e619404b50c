/*
 * Benchmark results and their presentation: one row a measurement, printed as an aligned table
 * (or JSON for tooling). A row may carry a target; the table says whether the run met it.
 */

export interface BenchRow {
  /** Which part of the benchmark measured it: "store", "io", "memory". */
  readonly part: string;
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** A comparison to show next to the value, e.g. "41% of Buffer.copy". */
  readonly note?: string;
  /** The goal, as text, and whether this run met it. */
  readonly target?: string;
  readonly met?: boolean;
}

export function formatValue(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) >= 1000) return value.toLocaleString('en-US');
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  return value.toFixed(2);
}

export function formatTable(rows: readonly BenchRow[]): string {
  const header = ['part', 'measurement', 'value', 'unit', 'compared', 'target'];
  const body = rows.map((r) => [
    r.part,
    r.name,
    formatValue(r.value),
    r.unit,
    r.note ?? '',
    r.target === undefined ? '' : `${r.target} ${r.met ? 'ok' : 'MISSED'}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((cells) => cells[i]!.length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}
