/**
 * Whether a GeoParquet file's bbox columns let partitions read only the parcels around their window. A
 * partition reads every row group whose bbox statistics meet its box, whole: that is cheap only when each
 * group is small and covers a small part of the file's extent (the file written sorted in space, as
 * GeoParquet's best practice asks). A file written as a few large groups (pyarrow's default is a million
 * rows a group), or in arbitrary order (every group spanning the country), would make each partition read
 * the file: such a file is converted once in prepare, like a file without an index.
 *
 * @example
 * const why = unsearchableRowGroups(metadata, paths); // undefined: searched as it is
 */
import type { FileMetaData } from 'hyparquet';

/** Largest row group (uncompressed) a partition may read whole: about 6× that while its features are parsed. */
export const MAX_SEARCHED_GROUP_BYTES = 8 * 2 ** 20;
/** Mean share of the file's extent a row group's bbox may cover. */
const MAX_GROUP_COVER = 0.25;

export interface SearchLimits {
  maxGroupBytes?: number;
}

/** Why the row groups cannot narrow a partition's reads, or undefined when they can. */
export function unsearchableRowGroups(metadata: FileMetaData, paths: string[][], limits: SearchLimits = {}): string | undefined {
  const maxBytes = limits.maxGroupBytes ?? MAX_SEARCHED_GROUP_BYTES;
  const groups = metadata.row_groups;
  const largest = Math.max(0, ...groups.map((g) => Number(g.total_byte_size)));
  if (largest > maxBytes) {
    return `its row groups are too large to be read by bounding box (up to ${(largest / 2 ** 20).toFixed(1)} MB uncompressed, ${groups.length} group(s); a partition reads each group it touches whole)`;
  }
  if (groups.length < 2) return undefined;
  const boxes = groups.map((g) => paths.map((p, i) => {
    const stats = g.columns.find((c) => c.meta_data?.path_in_schema.join('.') === p.join('.'))?.meta_data?.statistics;
    return Number(i < 2 ? stats?.min_value : stats?.max_value);
  }));
  if (boxes.some((b) => !b.every(Number.isFinite))) return 'its row groups have no bbox statistics';
  const extent = [Math.min(...boxes.map((b) => b[0])), Math.min(...boxes.map((b) => b[1])), Math.max(...boxes.map((b) => b[2])), Math.max(...boxes.map((b) => b[3]))];
  const area = (b: number[]) => Math.max(0, b[2] - b[0]) * Math.max(0, b[3] - b[1]);
  const whole = area(extent);
  const cover = whole > 0 ? boxes.reduce((s, b) => s + area(b) / whole, 0) / boxes.length : 1;
  if (cover > MAX_GROUP_COVER) {
    return `its row groups are not sorted in space (each covers ${Math.round(cover * 100)} % of the file's extent on average; a partition would read most of the file)`;
  }
  return undefined;
}
