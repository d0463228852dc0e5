/**
 * Sanity limits a TIFF header must respect before the reader allocates anything from its claims. They are
 * far above any Sentinel product (10980 px side, 1024 px COG blocks, a handful of bands) and low enough that
 * a hostile header cannot make a function allocate gigabytes or spin on billions of blocks.
 */
export const TIFF_LIMITS = {
  /** Width and height of the image, in pixels. */
  maxSide: 1_000_000,
  /** Width and height of one tile (strips are checked by maxBlockBytes only). */
  maxTileSide: 4096,
  /** Decoded bytes of one block (tile or strip), all samples: 256 MiB. */
  maxBlockBytes: 256 * 1024 * 1024,
  /** Samples (bands) per pixel. */
  maxBands: 10_000,
  /** Number of blocks in the image, all bands together. */
  maxBlocks: 16_000_000,
  /** Entries in one image file directory (real files have 15 to 40). */
  maxIfdEntries: 1000,
  /** Bytes of any one tag value that is not a block offset/size array (GDAL metadata XML, GeoKeys...). */
  maxTagBytes: 4 * 1024 * 1024,
} as const;

/** Bytes read from the start of the file when opening it: a COG keeps its IFDs and offsets there. */
export const HEADER_PROBE_BYTES = 64 * 1024;
