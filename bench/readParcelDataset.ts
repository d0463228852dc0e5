/**
 * Reads a parcel-aggregate product back for a benchmark's check: every file of the dataset its item lists
 * (`eofn:files`, one per partition), the columns asked, rows of all files in file-name order.
 *
 * @example
 * const rows = await readParcelDataset('.bench/parcels-out', ['parcel_id', 'count']);
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parquetReadObjects } from 'hyparquet';

export async function readParcelDataset(output: string, columns: string[]): Promise<Record<string, unknown>[]> {
  const item = JSON.parse(readFileSync(join(output, 'item.json'), 'utf8'));
  const files = [...(item.assets.data['eofn:files'] as string[])].sort();
  const rows: Record<string, unknown>[] = [];
  for (const f of files) {
    const buf = readFileSync(join(output, f));
    rows.push(...await parquetReadObjects({ file: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer, columns }));
  }
  return rows;
}
