/** What the core knows about vector parcels once read: plain rings of [x, y] pairs, one flat array per ring. */

/** A ring as x0, y0, x1, y1, …; closed (the last position repeats the first) once validated. */
export type Ring = Float64Array;

/** One polygon: its outer ring, then its holes. */
export type Polygon = Ring[];

export interface Parcel {
  /** Position in the input file, 0-based: the output keeps this order. */
  index: number;
  id: string;
  /** A Polygon is one entry, a MultiPolygon several. */
  polygons: Polygon[];
}

/** A feature as the file holds it, before ids and rings are checked. */
export interface RawFeature {
  /** Position in the file when only some features were read (by bounding box); else its place in `features`. */
  index?: number;
  properties: Record<string, unknown>;
  geometry: { type: string; coordinates: unknown } | null;
}

export interface RawParcelFile {
  href: string;
  /** "EPSG:<code>" */
  crs: string;
  features: RawFeature[];
  /** Size of the file, for memory estimates. */
  bytes: number;
}
