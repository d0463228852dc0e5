/**
 * The features of a FlatGeobuf file written without a spatial index, read front to back in range reads of
 * `chunkBytes`: a feature cut by a chunk's end is completed by the next read. Every size prefix is checked
 * against the file's end before the library parses a byte, as `checkFlatGeobuf` does for whole files, and
 * the count found must be the header's. Errors name the feature and its byte offset.
 *
 * @example
 * const stream = await streamFlatGeobufFeatures('s3://b/parcels.fgb', 4 * 2 ** 20);
 */
import * as flatbuffers from 'flatbuffers';
import { Feature } from 'flatgeobuf/lib/mjs/flat-geobuf/feature.js';
import { fromFeature } from 'flatgeobuf/lib/mjs/geojson/feature.js';
import { InputError } from '../errors.ts';
import { storageFor } from '../io/storage.ts';
import { readFlatGeobufHead } from './readFlatGeobufBox.ts';
import type { ParcelFeatureStream } from './parcelFeatureStream.ts';
import type { RawFeature } from './types.ts';

export async function streamFlatGeobufFeatures(href: string, chunkBytes: number): Promise<ParcelFeatureStream> {
  const head = await readFlatGeobufHead(href);
  const fail = (why: string): never => { throw new InputError(href, `not a valid FlatGeobuf file: ${why}`); };
  const announced = head.header.featuresCount;
  return {
    crs: () => head.crs,
    async *batches() {
      const storage = storageFor(href);
      const end = head.fileBytes;
      let buf = new Uint8Array(0);
      let bufStart = head.featuresStart; // file offset of buf[0]
      let readTo = head.featuresStart;
      let at = 0;
      let index = 0;
      for (;;) {
        const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
        const bb = new flatbuffers.ByteBuffer(buf);
        const batch: RawFeature[] = [];
        let need = 4;
        while (at + 4 <= buf.length) {
          const size = view.getUint32(at, true);
          if (size === 0 || bufStart + at + 4 + size > end) fail(`feature ${index} at byte ${bufStart + at} claims ${size} bytes, past the end of the file (truncated?)`);
          if (at + 4 + size > buf.length) {
            need = 4 + size;
            break;
          }
          bb.setPosition(at);
          let f: RawFeature;
          try {
            f = fromFeature(index, Feature.getSizePrefixedRootAsFeature(bb), head.header) as unknown as RawFeature;
          } catch (e) {
            return fail(`feature ${index} at byte ${bufStart + at}: ${(e as Error).message}`);
          }
          batch.push({ index, properties: f.properties ?? {}, geometry: f.geometry ?? null });
          at += 4 + size;
          index++;
        }
        if (batch.length) yield batch;
        if (readTo >= end) {
          if (at < buf.length) fail(`feature ${index} is cut off at byte ${bufStart + at} (truncated?)`);
          break;
        }
        // Keep the unread tail, and read a chunk (or the rest of one feature larger than a chunk).
        const tail = buf.subarray(at);
        const length = Math.min(end - readTo, Math.max(chunkBytes, need - tail.length));
        const more = await storage.readRange(href, readTo, length);
        if (more.length === 0) fail(`the file ends at byte ${readTo}, before the ${end} bytes its size says`);
        const next = new Uint8Array(tail.length + more.length);
        next.set(tail);
        next.set(more, tail.length);
        bufStart += at;
        buf = next;
        at = 0;
        readTo += more.length;
      }
      if (index === 0) throw new InputError(href, 'the FlatGeobuf file holds no features');
      if (announced > 0 && index !== announced) fail(`the header announces ${announced} features, the file holds ${index} (truncated?)`);
    },
  };
}
