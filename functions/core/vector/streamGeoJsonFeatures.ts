/**
 * The features of a GeoJSON FeatureCollection read by range requests of `chunkBytes`, never whole: a byte
 * scanner follows strings, escapes and nesting, cuts the top-level `features` array into one text per
 * feature and parses each alone. The other top-level members (`type`, `crs`, `name`…) may come before or
 * after `features`; each is read whole up to MEMBER_MAX_BYTES. Errors name the feature and its byte offset.
 *
 * @example
 * const stream = await streamGeoJsonFeatures('s3://b/parcels.geojson', 4 * 2 ** 20);
 */
import { InputError } from '../errors.ts';
import { parseJson } from '../io/parseJson.ts';
import { storageFor } from '../io/storage.ts';
import { crsFromGeoJson } from './parcelCrs.ts';
import type { ParcelFeatureStream } from './parcelFeatureStream.ts';
import type { RawFeature } from './types.ts';

/** A top-level member other than `features` (a CRS, a name) is small; a larger one is not a parcel file. */
const MEMBER_MAX_BYTES = 16 * 2 ** 20;
const [SPACE, TAB, LF, CR, QUOTE, BACKSLASH, COMMA, COLON] = [0x20, 0x09, 0x0a, 0x0d, 0x22, 0x5c, 0x2c, 0x3a];
const [OPEN_OBJECT, CLOSE_OBJECT, OPEN_ARRAY, CLOSE_ARRAY] = [0x7b, 0x7d, 0x5b, 0x5d];

export async function streamGeoJsonFeatures(href: string, chunkBytes: number): Promise<ParcelFeatureStream> {
  const size = await storageFor(href).size(href);
  if (size === undefined) throw new InputError(href, 'cannot read the parcel file: not found');
  let crs: unknown;
  return {
    crs: () => crsFromGeoJson(href, crs),
    async *batches() {
      const s = new Scanner(href, size, chunkBytes);
      const fail = (why: string): never => { throw new InputError(href, `not a valid GeoJSON file: ${why}`); };
      const decoder = new TextDecoder();
      await s.skipBom();
      if (await s.peek() !== OPEN_OBJECT) fail('expected a JSON object at byte 0');
      s.pos++;
      let type: unknown;
      let found = false;
      let index = 0;
      let batch: RawFeature[] = [];
      let batchBytes = 0;
      for (let member = 0; ; member++) {
        let c = await s.peek();
        if (c === CLOSE_OBJECT) {
          s.pos++;
          break;
        }
        if (member > 0) {
          if (c !== COMMA) fail(`expected "," or "}" at byte ${s.offset()}${c === -1 ? ' (truncated?)' : ''}`);
          s.pos++;
          c = await s.peek();
        }
        if (c !== QUOTE) fail(`expected a member name at byte ${s.offset()}${c === -1 ? ' (truncated?)' : ''}`);
        const name = parseJson(await s.value(MEMBER_MAX_BYTES) ?? fail('the file ends in a member name (truncated?)'), href) as string;
        if (await s.peek() !== COLON) fail(`expected ":" after "${name}" at byte ${s.offset()}`);
        s.pos++;
        c = await s.peek();
        if (name !== 'features' || c !== OPEN_ARRAY) {
          const at = s.offset();
          const text = await s.value(MEMBER_MAX_BYTES) ?? fail(`the file ends in member "${name}" (truncated?)`);
          const value = parseJson(text, `${href} member "${name}" at byte ${at}`);
          if (name === 'type') type = value;
          else if (name === 'crs') crs = value;
          continue;
        }
        found = true;
        s.pos++;
        for (let k = 0; ; k++) {
          c = await s.peek();
          if (c === CLOSE_ARRAY) {
            s.pos++;
            break;
          }
          if (k > 0) {
            if (c !== COMMA) fail(`expected "," or "]" after feature ${index - 1} at byte ${s.offset()}${c === -1 ? ' (truncated?)' : ''}`);
            s.pos++;
            c = await s.peek();
          }
          const at = s.offset();
          if (c !== OPEN_OBJECT) fail(`feature ${index} at byte ${at} is not a JSON object${c === -1 ? ' (truncated?)' : ''}`);
          const text = await s.value(Infinity) ?? fail(`feature ${index} at byte ${at} is cut off by the end of the file (truncated?)`);
          let f: { properties?: Record<string, unknown> | null; geometry?: RawFeature['geometry'] };
          try {
            f = JSON.parse(decoder.decode(text));
          } catch {
            return fail(`feature ${index} at byte ${at} is not valid JSON (${text.length} bytes; content not shown)`);
          }
          batch.push({ index: index++, properties: f.properties ?? {}, geometry: f.geometry ?? null });
          batchBytes += text.length;
          if (batchBytes >= chunkBytes) {
            yield batch;
            batch = [];
            batchBytes = 0;
          }
        }
      }
      if (batch.length) yield batch;
      if (await s.peek() !== -1) fail(`content after the end of the object at byte ${s.offset()}`);
      if (type !== 'FeatureCollection' || !found) throw new InputError(href, 'expected a GeoJSON FeatureCollection');
    },
  };
}

/** The file's bytes one chunk at a time, with the position in the current chunk. */
class Scanner {
  buf: Uint8Array = new Uint8Array(0);
  pos = 0;
  private base = 0;
  private readTo = 0;
  private readonly href: string;
  private readonly size: number;
  private readonly chunkBytes: number;

  constructor(href: string, size: number, chunkBytes: number) {
    this.href = href;
    this.size = size;
    this.chunkBytes = chunkBytes;
  }

  /** File offset of the next byte. */
  offset(): number {
    return this.base + this.pos;
  }

  async skipBom(): Promise<void> {
    await this.more();
    if (this.buf[0] === 0xef && this.buf[1] === 0xbb && this.buf[2] === 0xbf) this.pos = 3;
  }

  /** The next byte that is not white space, left unread; -1 at the end of the file. */
  async peek(): Promise<number> {
    for (;;) {
      while (this.pos < this.buf.length) {
        const c = this.buf[this.pos];
        if (c !== SPACE && c !== LF && c !== CR && c !== TAB) return c;
        this.pos++;
      }
      if (!await this.more()) return -1;
    }
  }

  /**
   * The bytes of the JSON value that starts here (object, array, string, or a literal up to its delimiter),
   * without parsing it; undefined when the file ends inside it.
   */
  async value(maxBytes: number): Promise<Uint8Array | undefined> {
    const parts: Uint8Array[] = [];
    let total = 0, depth = 0, inString = false, escaped = false;
    const first = this.buf[this.pos];
    const literal = first !== OPEN_OBJECT && first !== OPEN_ARRAY && first !== QUOTE;
    for (;;) {
      const buf = this.buf;
      let end = -1;
      for (let i = this.pos; i < buf.length; i++) {
        const c = buf[i];
        if (inString) {
          if (escaped) escaped = false;
          else if (c === BACKSLASH) escaped = true;
          else if (c === QUOTE) {
            inString = false;
            if (depth === 0) { end = i + 1; break; }
          }
        } else if (literal) {
          if (c === COMMA || c === CLOSE_OBJECT || c === CLOSE_ARRAY || c === SPACE || c === LF || c === CR || c === TAB) { end = i; break; }
        } else if (c === QUOTE) inString = true;
        else if (c === OPEN_OBJECT || c === OPEN_ARRAY) depth++;
        else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
          if (--depth === 0) { end = i + 1; break; }
        }
      }
      if (end >= 0) {
        parts.push(buf.subarray(this.pos, end));
        this.pos = end;
        break;
      }
      parts.push(buf.subarray(this.pos));
      total += buf.length - this.pos;
      this.pos = buf.length;
      if (total > maxBytes) throw new InputError(this.href, `not a valid GeoJSON file: a top-level member larger than ${maxBytes} bytes`);
      if (!await this.more()) {
        if (literal) break;
        return undefined;
      }
    }
    if (parts.length === 1) return parts[0];
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  /** Reads the next chunk once this one is used up; false at the end of the file. */
  private async more(): Promise<boolean> {
    if (this.readTo >= this.size) return false;
    const bytes = await storageFor(this.href).readRange(this.href, this.readTo, Math.min(this.chunkBytes, this.size - this.readTo));
    if (!bytes.length) return false;
    this.base += this.buf.length;
    this.buf = bytes;
    this.pos = 0;
    this.readTo += bytes.length;
    return true;
  }
}
