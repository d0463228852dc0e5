/**
 * Writes a Parquet file batch by batch: each `append` becomes one row group flushed to disk, so memory holds
 * one batch. Strings are UTF8 (dictionary-encoded where it pays), timestamps INT64 milliseconds marked UTC
 * (TIMESTAMP(MILLIS, true): DuckDB reads TIMESTAMP WITH TIME ZONE, pandas datetime64[ms, UTC]), doubles and
 * int32 as such; SNAPPY compression, which every Parquet reader supports.
 *
 * @example
 * const w = openParquetTableWriter('/tmp/t.parquet', [{ name: 'id', type: 'string', nullable: false }]);
 * await w.append([['a', 'b']]);
 * await w.close();
 */
import { fileWriter, ParquetWriter } from 'hyparquet-writer';
import type { SchemaElement } from 'hyparquet';
import type { TableColumn, TableWriter } from './types.ts';

export function openParquetTableWriter(path: string, columns: TableColumn[], kvMetadata: Record<string, string> = {}): TableWriter {
  const writer = new ParquetWriter({
    writer: fileWriter(path),
    schema: [{ name: 'root', num_children: columns.length }, ...columns.map(schemaOf)],
    kvMetadata: Object.entries(kvMetadata).map(([key, value]) => ({ key, value })),
    createdBy: 'eofn parcel-aggregate (hyparquet-writer)',
  });
  return {
    async append(batch) {
      const n = batch[0]?.length ?? 0;
      if (!n) return;
      await writer.write({
        columnData: columns.map((c, i) => ({ name: c.name, data: batch[i] })),
        rowGroupSize: n,
      });
    },
    async close() {
      writer.finish(); // zero rows still make a valid file: the schema and no row group
    },
  };
}

function schemaOf(c: TableColumn): SchemaElement {
  const repetition_type = c.nullable ? 'OPTIONAL' : 'REQUIRED';
  switch (c.type) {
    case 'string': return { name: c.name, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' }, repetition_type };
    case 'int32': return { name: c.name, type: 'INT32', repetition_type };
    case 'double': return { name: c.name, type: 'DOUBLE', repetition_type };
    case 'timestamp': return {
      name: c.name, type: 'INT64', converted_type: 'TIMESTAMP_MILLIS',
      logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' }, repetition_type,
    };
  }
}
