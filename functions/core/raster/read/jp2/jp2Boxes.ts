/**
 * Walks the boxes of a JP2 file (ISO 15444-1 annex I) and keeps what the reader needs: where the code-stream
 * is, and the georeferencing boxes (the GMLJP2 XML inside `asoc` boxes, the GeoJP2 `uuid` box holding a
 * degenerate GeoTIFF). A bare code-stream (.j2k, starting with SOC SIZ) is accepted too. Box lengths are
 * checked against the file size and JP2_LIMITS before any box is read.
 *
 * @example
 * const boxes = await readJp2Boxes(await TiffBytes.open(href));
 * boxes.codestream;  // { offset: 1919, length: 87677 }
 */
import { BadJp2Error } from '../../../errors.ts';
import type { TiffBytes } from '../tiffBytes.ts';
import { JP2_LIMITS } from './jp2Limits.ts';

export interface Jp2Boxes {
  codestream: { offset: number; length: number };
  /** The GMLJP2 root instance (XML text), when the file has one. */
  gml?: string;
  /** The GeoTIFF held by a GeoJP2 box, when the file has one. */
  geoTiff?: Uint8Array;
}

const SIGNATURE = [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20, 0x0d, 0x0a, 0x87, 0x0a];
const GEOJP2_UUID = 'b14bf8bd083d4b43a5ae8cd7d5a6ce03';
const SUPERBOXES = new Set(['jp2h', 'asoc', 'res ']);

/** True when the first bytes are a JP2 signature box or a bare code-stream (SOC then SIZ). */
export function isJpeg2000(head: Uint8Array): boolean {
  if (head.length >= 4 && head[0] === 0xff && head[1] === 0x4f && head[2] === 0xff && head[3] === 0x51) return true;
  return head.length >= 12 && SIGNATURE.every((b, i) => head[i] === b);
}

export async function readJp2Boxes(bytes: TiffBytes): Promise<Jp2Boxes> {
  const head = await bytes.read(0, Math.min(12, bytes.size), 'JP2 signature');
  if (!isJpeg2000(head)) throw new BadJp2Error(bytes.href, 'not a JPEG 2000 file (no JP2 signature box or code-stream start)');
  if (head[0] === 0xff) return { codestream: { offset: 0, length: bytes.size } };
  const found: Partial<Jp2Boxes> & { boxes: number } = { boxes: 0 };
  await walk(bytes, 0, bytes.size, 0, found);
  if (!found.codestream) throw new BadJp2Error(bytes.href, 'no code-stream box (jp2c): the file is truncated or not a JP2');
  return { codestream: found.codestream, gml: found.gml, geoTiff: found.geoTiff };
}

async function walk(
  bytes: TiffBytes, start: number, end: number, depth: number, found: Partial<Jp2Boxes> & { boxes: number },
): Promise<void> {
  const bad = (msg: string) => new BadJp2Error(bytes.href, msg);
  if (depth > JP2_LIMITS.maxBoxDepth) throw bad(`boxes nested deeper than ${JP2_LIMITS.maxBoxDepth}`);
  let offset = start;
  let label: string | undefined; // the label box names what the next boxes of the same superbox hold
  while (offset + 8 <= end) {
    if (++found.boxes > JP2_LIMITS.maxBoxes) throw bad(`more than ${JP2_LIMITS.maxBoxes} boxes`);
    const header = view(await bytes.read(offset, Math.min(16, end - offset), 'box header'));
    let length = header.getUint32(0);
    const type = String.fromCharCode(header.getUint8(4), header.getUint8(5), header.getUint8(6), header.getUint8(7));
    let headerLength = 8;
    if (length === 1) {
      if (header.byteLength < 16) throw bad(`box "${type}" at byte ${offset} is truncated`);
      length = Number(header.getBigUint64(8));
      headerLength = 16;
    } else if (length === 0) {
      length = end - offset; // the last box runs to the end of the file
    }
    if (length < headerLength) throw bad(`box "${type}" at byte ${offset} claims ${length} bytes, less than its own header`);
    if (offset + length > end) {
      throw bad(`box "${type}" at byte ${offset} claims ${length} bytes, past the end of ${depth ? 'its parent box' : 'the file'} (${end} bytes): the file is truncated`);
    }
    const body = { offset: offset + headerLength, length: length - headerLength };
    if (type === 'jp2c' && depth === 0 && !found.codestream) found.codestream = body;
    else if (SUPERBOXES.has(type)) await walk(bytes, body.offset, body.offset + body.length, depth + 1, found);
    else if (type === 'lbl ') label = text(await metadata(bytes, body, type));
    else if (type === 'xml ' && !found.gml && label === 'gml.root-instance') {
      found.gml = text(await metadata(bytes, body, type));
    } else if (type === 'uuid' && !found.geoTiff && body.length > 16) {
      const uuid = await bytes.read(body.offset, 16, 'uuid box');
      if (Buffer.from(uuid).toString('hex') === GEOJP2_UUID) {
        found.geoTiff = (await metadata(bytes, body, 'GeoJP2 uuid')).subarray(16);
      }
    }
    offset += length;
  }
}

async function metadata(bytes: TiffBytes, body: { offset: number; length: number }, what: string): Promise<Uint8Array> {
  if (body.length > JP2_LIMITS.maxMetadataBoxBytes) {
    throw new BadJp2Error(bytes.href, `${what} box claims ${body.length} bytes (at most ${JP2_LIMITS.maxMetadataBoxBytes} read)`);
  }
  return bytes.read(body.offset, body.length, `${what} box`);
}

function text(raw: Uint8Array): string {
  const end = raw.indexOf(0);
  return new TextDecoder().decode(end < 0 ? raw : raw.subarray(0, end)).trim();
}

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}
