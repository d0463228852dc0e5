/**
 * Groups the byte ranges of the blocks a read needs into few requests: ranges closer than `maxGap` bytes are
 * read as one (the gap is cheaper than a round trip to object storage), up to `maxBytes` per request so that
 * a full-band read still streams (fetching the next group while earlier blocks decode).
 *
 * @example
 * planRangeReads([{ offset: 100, length: 50 }, { offset: 160, length: 40 }]);
 * // [{ offset: 100, length: 100, parts: [...both...] }]
 */
export interface ByteRange {
  offset: number;
  length: number;
}

export interface RangeRead<T extends ByteRange> extends ByteRange {
  /** The ranges this request serves, in file order. */
  parts: T[];
}

const MERGE_GAP_BYTES = 256 * 1024;
const MAX_REQUEST_BYTES = 16 * 1024 * 1024;

export function planRangeReads<T extends ByteRange>(
  ranges: T[], maxGap = MERGE_GAP_BYTES, maxBytes = MAX_REQUEST_BYTES,
): RangeRead<T>[] {
  const sorted = [...ranges].sort((a, b) => a.offset - b.offset);
  const reads: RangeRead<T>[] = [];
  let current: RangeRead<T> | undefined;
  for (const r of sorted) {
    const end = r.offset + r.length;
    if (current) {
      const currentEnd = current.offset + current.length;
      const mergedEnd = Math.max(currentEnd, end);
      if (r.offset - currentEnd <= maxGap && mergedEnd - current.offset <= maxBytes) {
        current.length = mergedEnd - current.offset;
        current.parts.push(r);
        continue;
      }
    }
    current = { offset: r.offset, length: r.length, parts: [r] };
    reads.push(current);
  }
  return reads;
}
