/**
 * The streaming table writers: several batches become several row groups, nulls and timestamps survive a
 * read back with hyparquet; CSV quotes what needs quoting.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { openCsvTableWriter } from '../../../functions/core/table/csvTableWriter.ts';
import { openParquetTableWriter } from '../../../functions/core/table/parquetTableWriter.ts';
import type { TableColumn } from '../../../functions/core/table/types.ts';

const COLUMNS: TableColumn[] = [
  { name: 'id', type: 'string', nullable: false },
  { name: 'when', type: 'timestamp', nullable: true },
  { name: 'n', type: 'int32', nullable: false },
  { name: 'mean', type: 'double', nullable: true },
];
const dir = mkdtempSync(join(tmpdir(), 'eofn-table-'));

describe('table writers', () => {
  it('Parquet: one row group per batch, nulls and UTC timestamps read back', async () => {
    // Prepare
    const path = join(dir, 't.parquet');
    const w = openParquetTableWriter(path, COLUMNS, { source: 'test' });
    // Act
    await w.append([['a', 'b'], [new Date('2023-08-13T10:07:53.782Z'), null], [3, 0], [0.5, null]]);
    await w.append([['c'], [new Date('2024-01-01T00:00:00Z')], [1], [-1.25]]);
    await w.close();
    // Assess
    const buf = readFileSync(path);
    const file = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
    const meta = await parquetMetadataAsync(file);
    expect(meta.row_groups).toHaveLength(2);
    expect(meta.key_value_metadata).toContainEqual({ key: 'source', value: 'test' });
    expect(meta.schema.find((s) => s.name === 'when')?.logical_type).toEqual({ type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' });
    const rows = await parquetReadObjects({ file });
    expect(rows).toEqual([
      { id: 'a', when: new Date('2023-08-13T10:07:53.782Z'), n: 3, mean: 0.5 },
      { id: 'b', when: null, n: 0, mean: null },
      { id: 'c', when: new Date('2024-01-01T00:00:00Z'), n: 1, mean: -1.25 },
    ]);
  });

  it('CSV: header, quoted fields, empty nulls, ISO timestamps', async () => {
    const path = join(dir, 't.csv');
    const w = await openCsvTableWriter(path, COLUMNS);
    await w.append([['plain', 'with,comma "q"'], [new Date('2023-08-13T10:07:53.782Z'), null], [3, 0], [0.1, null]]);
    await w.close();
    expect(readFileSync(path, 'utf8')).toBe('id,when,n,mean\nplain,2023-08-13T10:07:53.782Z,3,0.1\n"with,comma ""q""",,0,\n');
  });
});
