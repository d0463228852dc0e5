/**
 * Sanity limits a JPEG 2000 file must respect before the reader allocates anything from its claims: box
 * lengths, image and tile sizes, tile and tile-part counts, code-block sizes. Far above any Sentinel-2 band
 * (10980 px, 1024 px tiles, 5 or 6 resolution levels, 64 px code-blocks), low enough that a hostile header
 * cannot make a function allocate gigabytes or walk millions of markers.
 *
 * @example
 * if (boxes > JP2_LIMITS.maxBoxes) throw new BadJp2Error(href, 'too many boxes');
 */
import { TIFF_LIMITS } from '../tiffLimits.ts';

export const JP2_LIMITS = {
  /** Width and height of the image, in pixels (as for TIFF). */
  maxSide: TIFF_LIMITS.maxSide,
  /** Components (bands); the code-stream itself allows 16384. */
  maxComponents: 256,
  /** Bytes OpenJPEG holds for one decoded tile (32-bit samples, all components): an untiled 10980² band fits. */
  maxTileDecodedBytes: 512 * 1024 * 1024,
  /** Tiles in the image (Isot is 16 bits, so the code-stream cannot index more). */
  maxTiles: 65_535,
  /** Tile-parts in the code-stream (Sentinel-2: one per tile and resolution level). */
  maxTileParts: 1_000_000,
  /** Boxes read at the top level, and nesting depth of superboxes (jp2h, asoc). */
  maxBoxes: 1000,
  maxBoxDepth: 8,
  /** Bytes of one metadata box that is read whole (GML, GeoJP2, labels). */
  maxMetadataBoxBytes: TIFF_LIMITS.maxTagBytes,
  /** Bytes of the code-stream main header (SIZ, COD, QCD, TLM...). */
  maxMainHeaderBytes: 16 * 1024 * 1024,
  /** Decomposition levels (the standard's maximum). */
  maxDecompositionLevels: 32,
} as const;
