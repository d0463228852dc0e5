/**
 * The columns and media types of a parcel-aggregate table, shared by the partitions that write it and the
 * merge that describes it (its own file, so neither imports the other for them).
 *
 * @example
 * tableColumns(['mean', 'std']); // parcel_id, item_id, datetime, band, count, nodata_count, mean, std
 */
import type { TableColumn } from '../../table/types.ts';

export const ROW_GROUP = 65536;

export const PARQUET_TYPE = 'application/vnd.apache.parquet';
export const CSV_TYPE = 'text/csv';

export function tableColumns(stats: string[]): TableColumn[] {
  return [
    { name: 'parcel_id', type: 'string', nullable: false },
    { name: 'item_id', type: 'string', nullable: false },
    { name: 'datetime', type: 'timestamp', nullable: true },
    { name: 'band', type: 'string', nullable: false },
    { name: 'count', type: 'int32', nullable: false },
    { name: 'nodata_count', type: 'int32', nullable: false },
    ...stats.map((name) => ({ name, type: 'double' as const, nullable: true })),
  ];
}
