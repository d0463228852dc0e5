/**
 * Validates a FlatGeobuf file before the flatgeobuf library touches it (which loops forever on a file of
 * 0-12 bytes and silently yields fewer features from a truncated one): the magic bytes, a header size that
 * fits the file, the header's feature count and index node size (read from the FlatBuffer by hand), the
 * packed R-tree's size, then every feature's size prefix up to the end of the file. The number of features
 * found must be the number the header announces. Reads only; costs one pass over the size prefixes.
 *
 * @example
 * const { featuresCount } = checkFlatGeobuf('parcels.fgb', bytes); // throws InputError naming the problem
 */
import { InputError } from '../errors.ts';

const MAGIC = [0x66, 0x67, 0x62, 0x03, 0x66, 0x67, 0x62];
const PREAMBLE = 12;
/** The header holds a schema and a CRS: 16 MiB is far beyond any real one. */
const MAX_HEADER_BYTES = 16 * 2 ** 20;
const NODE_ITEM_BYTES = 40;
/** Slots of `features_count` and `index_node_size` in the FlatGeobuf Header table. */
const FEATURES_COUNT_FIELD = 8;
const INDEX_NODE_SIZE_FIELD = 9;

export interface FlatGeobufLayout {
  featuresCount: number;
  indexNodeSize: number;
  /** Byte offset of the first feature. */
  featuresOffset: number;
}

export function checkFlatGeobuf(href: string, bytes: Uint8Array): FlatGeobufLayout {
  const fail = (why: string): never => { throw new InputError(href, `not a valid FlatGeobuf file: ${why}`); };
  if (bytes.length < PREAMBLE) fail(`${bytes.length} bytes, fewer than the ${PREAMBLE} of the magic and header size`);
  if (MAGIC.some((b, i) => bytes[i] !== b)) fail('wrong magic bytes (expected "fgb" version 3)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerSize = view.getUint32(8, true);
  if (headerSize < 8 || headerSize > MAX_HEADER_BYTES || PREAMBLE + headerSize > bytes.length) {
    fail(`header size ${headerSize} does not fit the file of ${bytes.length} bytes`);
  }
  const { featuresCount, indexNodeSize } = readHeaderCounts(view, PREAMBLE, PREAMBLE + headerSize, fail);
  if (indexNodeSize === 1) fail('index node size 1');
  const indexBytes = featuresCount > 0 && indexNodeSize > 0 ? treeNodes(featuresCount, indexNodeSize) * NODE_ITEM_BYTES : 0;
  const featuresOffset = PREAMBLE + headerSize + indexBytes;
  if (featuresOffset > bytes.length) fail(`the header announces ${featuresCount} features whose index ends past the end of the file (truncated?)`);

  let found = 0;
  for (let at = featuresOffset; at < bytes.length; found++) {
    if (at + 4 > bytes.length) fail(`feature ${found} is cut off at byte ${at} (truncated?)`);
    const size = view.getUint32(at, true);
    if (size === 0 || at + 4 + size > bytes.length) fail(`feature ${found} at byte ${at} claims ${size} bytes, past the end of the file (truncated?)`);
    at += 4 + size;
  }
  if (featuresCount === 0 && found > 0 && indexNodeSize > 0) fail('features without a feature count in the header');
  if (featuresCount > 0 && found !== featuresCount) fail(`the header announces ${featuresCount} features, the file holds ${found} (truncated?)`);
  return { featuresCount: featuresCount || found, indexNodeSize, featuresOffset };
}

/** Nodes of the packed Hilbert R-tree over `n` items, as the format defines it (leaves included). */
function treeNodes(n: number, nodeSize: number): number {
  let level = n;
  let nodes = n;
  while (level > 1) {
    level = Math.ceil(level / nodeSize);
    nodes += level;
  }
  return n === 1 ? 2 : nodes;
}

/** `features_count` (uint64, default 0) and `index_node_size` (uint16, default 16) of the Header table. */
function readHeaderCounts(view: DataView, start: number, end: number, fail: (why: string) => never): { featuresCount: number; indexNodeSize: number } {
  const within = (at: number, size: number) => (at >= start && at + size <= end ? at : fail(`header offset ${at} outside the header`));
  const table = start + view.getUint32(within(start, 4), true);
  const vtable = table - view.getInt32(within(table, 4), true);
  const vtableSize = view.getUint16(within(vtable, 2), true);
  const field = (slot: number): number => {
    const at = 4 + 2 * slot;
    return at + 2 <= vtableSize ? view.getUint16(within(vtable + at, 2), true) : 0;
  };
  const countAt = field(FEATURES_COUNT_FIELD);
  const nodeAt = field(INDEX_NODE_SIZE_FIELD);
  const count = countAt ? view.getBigUint64(within(table + countAt, 8), true) : 0n;
  if (count > BigInt(Number.MAX_SAFE_INTEGER)) fail(`feature count ${count} is not plausible`);
  return { featuresCount: Number(count), indexNodeSize: nodeAt ? view.getUint16(within(table + nodeAt, 2), true) : 16 };
}
