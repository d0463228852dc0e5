/** What the core knows about a raster, independent of how it was read. */
export type DType = 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'float32' | 'float64';
export type TypedArray =
  | Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

/** A north-up grid: pixel (col,row) has its top-left corner at (originX + col*resX, originY - row*resY). */
export interface Grid {
  /** e.g. "EPSG:32633"; a WKT/proj string when the file has no EPSG code. */
  crs: string;
  width: number;
  height: number;
  originX: number;
  originY: number;
  /** Pixel size, both positive. */
  resX: number;
  resY: number;
}

/** A rectangle of pixels on a grid. */
export interface Window {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface RasterInfo {
  href: string;
  grid: Grid;
  bands: number;
  dtype: DType;
  nodata: number | undefined;
  blockWidth: number;
  blockHeight: number;
  /** Band descriptions where the file has them (GDAL metadata). */
  descriptions: (string | undefined)[];
  /** Dataset-level GDAL metadata items (e.g. TIFFTAG_DATETIME, FIRST_DATE). */
  metadata: Record<string, string>;
}
