/**
 * A parcel file read as a stream of feature batches (`streamParcelFeatures`), each pass a fresh read.
 *
 * @example
 * for await (const batch of stream.batches()) for (const f of batch) checks.add(f);
 */
import type { RawFeature } from './types.ts';

export interface ParcelFeatureStream {
  /** A fresh pass over the file each call: batches of features in file order, each with its `index`. */
  batches(): AsyncIterable<RawFeature[]>;
  /** The file's CRS ("EPSG:<code>"); GeoJSON may name it after its features, so ask once a pass has ended. */
  crs(): string;
  /** Why the file must be read this way rather than searched by bounding box, when it says more than "no index". */
  why?: string;
}
