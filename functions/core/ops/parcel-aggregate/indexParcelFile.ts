/**
 * Makes sure partitions can read a parcel file by bounding box. A file that has no spatial index (GeoJSON,
 * FlatGeobuf written without one, GeoParquet without bbox columns) and is larger than
 * PARCEL_INDEX_MIN_BYTES is read once here, as a stream in one pass (`streamParcelFeatures`), checked
 * (ids, geometries: `ParcelChecks`, the words of `toParcels`) and written as an indexed FlatGeobuf under the
 * job's output (`_eofn/parcels-<hash>.fgb`) through a local scratch file (`IndexedFlatGeobufBuilder`), with a
 * warning for the product item; partitions then read that file. Memory: a read chunk plus about 52 bytes a
 * feature, never the file. A property whose values mix types (a column turned String) costs a second read.
 * Nothing reaches the target unless the whole file passed. Smaller files are read whole by each partition
 * (the memory model charges it). Done once per process and file, however many tiles the job has; when a
 * job's tiles are planned by functions of their own (fanned out), the jobs stage does it once for all of them
 * (`prepareShared`) and no tile converts.
 *
 * @example
 * const { href, warning } = await indexParcelFile(source, 's3://bucket/out/job');
 */
import { createHash } from 'node:crypto';
import { InputError } from '../../errors.ts';
import { epsgOf } from '../../geo/crs.ts';
import { storageFor, writeStreamTo } from '../../io/storage.ts';
import { IndexedFlatGeobufBuilder } from '../../vector/indexedFlatGeobufBuilder.ts';
import { ParcelChecks } from '../../vector/parcelChecks.ts';
import { isIndexed, readFlatGeobufHead } from '../../vector/readFlatGeobufBox.ts';
import { PARCEL_CHUNK_BYTES, streamParcelFeatures } from '../../vector/streamParcelFeatures.ts';
import { MAX_SEARCHED_GROUP_BYTES } from '../../vector/searchableRowGroups.ts';
import type { ParcelSource } from './parcelsOnGrid.ts';

/** Files that cannot be searched by bounding box are converted past this size; smaller ones are read whole. */
const PARCEL_INDEX_MIN_BYTES = 256 * 1024;

export interface IndexParcelOptions {
  /** Largest range read of the source (a GeoParquet row group or a feature larger than this is read whole). */
  chunkBytes?: number;
  /** Where the scratch file of encoded features goes (the OS temp dir by default). */
  scratchDir?: string;
  /** A GeoParquet file with bbox columns is converted when a row group is larger than this (uncompressed). */
  maxSearchedGroupBytes?: number;
}

const done = new Map<string, Promise<{ href: string; warning?: string }>>();

export function indexParcelFile(source: ParcelSource, outputHref: string, opts: IndexParcelOptions = {}): Promise<{ href: string; warning?: string }> {
  const key = JSON.stringify([source.href, outputHref]);
  let found = done.get(key);
  if (!found) {
    found = convert(source, outputHref, opts);
    found.catch(() => done.delete(key));
    done.set(key, found);
  }
  return found;
}

/** Forgets what this process converted, as a new process would (for tests that count conversions). */
export function forgetIndexedParcelFiles(): void {
  done.clear();
}

async function convert(source: ParcelSource, outputHref: string, opts: IndexParcelOptions): Promise<{ href: string; warning?: string }> {
  const { href } = source;
  const bytes = await storageFor(href).size(href);
  if (bytes === undefined) throw new InputError(href, 'cannot read the parcel file: not found');
  if (bytes <= PARCEL_INDEX_MIN_BYTES || await searchable(href)) return { href };
  const stream = await streamParcelFeatures(href, opts.chunkBytes ?? PARCEL_CHUNK_BYTES, { maxGroupBytes: opts.maxSearchedGroupBytes });
  if (!stream) return { href };
  // The checks partitions would make, once, on every feature (they then trust the converted file).
  const checks = new ParcelChecks(href, { idProperty: source.idProperty, invalidGeometry: source.invalidGeometry });
  const builder = new IndexedFlatGeobufBuilder(opts.scratchDir);
  try {
    let features = 0;
    for await (const batch of stream.batches()) {
      for (const f of batch) {
        checks.add(f);
        builder.add(f);
      }
      features += batch.length;
    }
    const crs = stream.crs();
    await checks.finish(() => stream.batches());
    const epsg = epsgOf(crs);
    if (epsg === undefined) throw new InputError(href, `cannot index parcels in ${crs}: expected an EPSG code`);
    if (builder.stale) {
      builder.restart();
      for await (const batch of stream.batches()) for (const f of batch) builder.add(f);
    }
    if (!builder.count) throw new InputError(href, 'no feature with a geometry to index');
    const target = `${outputHref}/_eofn/parcels-${createHash('sha256').update(href).digest('hex').slice(0, 12)}.fgb`;
    await writeStreamTo(storageFor(target), target, builder.chunks(epsg), 'application/flatgeobuf');
    return {
      href: target,
      warning: `${href} ${stream.why ?? 'has no spatial index'}: read once in prepare (${features} features, ${(bytes / 2 ** 20).toFixed(1)} MB) and written as an indexed FlatGeobuf (${target}); give a FlatGeobuf with its index, or a GeoParquet with bbox columns, sorted in space, in row groups of at most ${MAX_SEARCHED_GROUP_BYTES / 2 ** 20} MB, to skip this`,
    };
  } finally {
    builder.close();
  }
}

/** Whether the file can be read by bounding box as it is. */
async function searchable(href: string): Promise<boolean> {
  const path = href.split('?')[0].toLowerCase();
  if (path.endsWith('.fgb')) return isIndexed(await readFlatGeobufHead(href));
  return false;
}
