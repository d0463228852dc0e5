/**
 * Writes a CSV file batch by batch (RFC 4180: a header row, fields quoted only when they need it, "\n"
 * line ends). Nulls are empty fields, timestamps ISO 8601 UTC, doubles in JavaScript's shortest
 * round-trip form, so that a reader gets back the same float64. A text cell starting with `= + - @`, a
 * tab or a carriage return gets a leading `'` and quotes (OWASP's CSV injection advice), so that a parcel
 * id such as `=cmd|' /C calc'!A0` opens in a spreadsheet as text, not as a formula.
 *
 * @example
 * const w = await openCsvTableWriter('/tmp/t.csv', [{ name: 'id', type: 'string', nullable: false }]);
 * await w.append([['a', 'b']]);
 * await w.close();
 */
import { open } from 'node:fs/promises';
import type { TableColumn, TableWriter } from './types.ts';

export async function openCsvTableWriter(path: string, columns: TableColumn[]): Promise<TableWriter> {
  const handle = await open(path, 'w');
  await handle.write(columns.map((c) => field(c.name)).join(',') + '\n');
  return {
    async append(batch) {
      const n = batch[0]?.length ?? 0;
      const lines: string[] = new Array(n);
      for (let r = 0; r < n; r++) {
        let line = '';
        for (let c = 0; c < columns.length; c++) {
          if (c) line += ',';
          line += field(batch[c][r]);
        }
        lines[r] = line;
      }
      if (n) await handle.write(lines.join('\n') + '\n');
    },
    async close() {
      await handle.close();
    },
  };
}

/** What a spreadsheet reads as the start of a formula (or a cell separator it may strip first). */
const FORMULA_START = /^[=+\-@\t\r]/;

function field(v: string | number | Date | null): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  if (FORMULA_START.test(v)) return `"'${v.replace(/"/g, '""')}"`;
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}
