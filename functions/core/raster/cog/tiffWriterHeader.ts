/**
 * The TIFF header followed by GDAL's "ghost" structural metadata: text between the header and the first
 * directory that promises readers the COG layout (directories first, tiles row-major, each tile preceded
 * by its size and followed by a copy of its last 4 bytes). GDAL and other COG readers use these promises
 * to fetch a tile with a single range request and to check it was not truncated.
 */

const GHOST_BODY =
  'LAYOUT=IFDS_BEFORE_DATA\n' +
  'BLOCK_ORDER=ROW_MAJOR\n' +
  'BLOCK_LEADER=SIZE_AS_UINT4\n' +
  'BLOCK_TRAILER=LAST_4_BYTES_REPEATED\n' +
  'KNOWN_INCOMPATIBLE_EDITION=NO\n' +
  // GDAL reserves one byte so that an editor can turn "NO\n " into "YES\n" in place.
  ' ';
const GHOST = `GDAL_STRUCTURAL_METADATA_SIZE=${String(GHOST_BODY.length).padStart(6, '0')} bytes\n${GHOST_BODY}`;

/** Bytes before each tile (its size as uint32) and after it (its last 4 bytes again). */
export const TILE_LEADER_BYTES = 4;
export const TILE_TRAILER_BYTES = 4;

/**
 * Offset of the first directory: header, ghost text, then one pad byte if needed, since a directory starts
 * on a word boundary (192 for classic TIFF, as GDAL writes it).
 *
 * @example
 * firstIfdOffset(false); // 192
 */
export function firstIfdOffset(bigTiff: boolean): number {
  const end = (bigTiff ? 16 : 8) + GHOST.length;
  return end + (end % 2);
}

/**
 * Header and ghost text, padded to `firstIfdOffset(bigTiff)` bytes.
 *
 * @example
 * const head = encodeHeader(false); // 'II*\0' + uint32 192 + 'GDAL_STRUCTURAL_METADATA_SIZE=…'
 */
export function encodeHeader(bigTiff: boolean): Uint8Array {
  const first = firstIfdOffset(bigTiff);
  const out = Buffer.alloc(first);
  out.write('II', 0, 'latin1');
  if (bigTiff) {
    out.writeUInt16LE(43, 2);
    out.writeUInt16LE(8, 4); // bytes per offset
    out.writeUInt16LE(0, 6);
    out.writeBigUInt64LE(BigInt(first), 8);
  } else {
    out.writeUInt16LE(42, 2);
    out.writeUInt32LE(first, 4);
  }
  out.write(GHOST, bigTiff ? 16 : 8, 'latin1');
  return out;
}
