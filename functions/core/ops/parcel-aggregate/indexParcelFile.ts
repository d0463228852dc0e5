/**
 * Makes sure partitions can read a parcel file by bounding box. A file that has no spatial index (GeoJSON,
 * FlatGeobuf written without one, GeoParquet without bbox columns) and is larger than
 * PARCEL_INDEX_MIN_BYTES is read once here, in one pass, checked (ids, geometries) and written as an
 * indexed FlatGeobuf under the job's output (`_eofn/parcels-<hash>.fgb`), with a warning for the product
 * item; partitions then read that file. Smaller files are read whole by each partition (the memory model
 * charges it). Done once per process and file, however many tiles the job has.
 *
 * @example
 * const { href, warning } = await indexParcelFile(source, 's3://bucket/out/job');
 */
import { createHash } from 'node:crypto';
import { InputError } from '../../errors.ts';
import { epsgOf } from '../../geo/crs.ts';
import { storageFor } from '../../io/storage.ts';
import { isIndexed, readFlatGeobufHead } from '../../vector/readFlatGeobufBox.ts';
import { readParcelBox } from '../../vector/readParcelBox.ts';
import { toParcels } from '../../vector/toParcels.ts';
import { writeIndexedFlatGeobuf } from '../../vector/writeIndexedFlatGeobuf.ts';
import type { ParcelSource } from './parcelsOnGrid.ts';

/** Files that cannot be searched by bounding box are converted past this size; smaller ones are read whole. */
const PARCEL_INDEX_MIN_BYTES = 256 * 1024;

const done = new Map<string, Promise<{ href: string; warning?: string }>>();

export function indexParcelFile(source: ParcelSource, outputHref: string): Promise<{ href: string; warning?: string }> {
  const key = JSON.stringify([source.href, outputHref]);
  let found = done.get(key);
  if (!found) {
    found = convert(source, outputHref);
    found.catch(() => done.delete(key));
    done.set(key, found);
  }
  return found;
}

async function convert(source: ParcelSource, outputHref: string): Promise<{ href: string; warning?: string }> {
  const { href } = source;
  const bytes = await storageFor(href).size(href);
  if (bytes === undefined) throw new InputError(href, 'cannot read the parcel file: not found');
  if (bytes <= PARCEL_INDEX_MIN_BYTES || await searchable(href)) return { href };
  const whole = await readParcelBox(href, undefined);
  if (whole.indexed) return { href };
  // The checks partitions would make, once, on every feature (they then trust the converted file).
  toParcels(whole, { idProperty: source.idProperty, invalidGeometry: source.invalidGeometry });
  const epsg = epsgOf(whole.crs);
  if (epsg === undefined) throw new InputError(href, `cannot index parcels in ${whole.crs}: expected an EPSG code`);
  const target = `${outputHref}/_eofn/parcels-${createHash('sha256').update(href).digest('hex').slice(0, 12)}.fgb`;
  await storageFor(target).write(target, writeIndexedFlatGeobuf(whole.features, epsg), 'application/flatgeobuf');
  return {
    href: target,
    warning: `${href} has no spatial index: read once in prepare (${whole.features.length} features, ${(bytes / 2 ** 20).toFixed(1)} MB) and written as an indexed FlatGeobuf (${target}); give a FlatGeobuf with its index or a GeoParquet with bbox columns to skip this`,
  };
}

/** Whether the file can be read by bounding box as it is. */
async function searchable(href: string): Promise<boolean> {
  const path = href.split('?')[0].toLowerCase();
  if (path.endsWith('.fgb')) return isIndexed(await readFlatGeobufHead(href));
  return false;
}
