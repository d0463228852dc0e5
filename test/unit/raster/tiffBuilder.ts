/**
 * Builds tiny classic TIFFs byte by byte for tests: the header, block data right after it (at DATA_OFFSET),
 * then one IFD with out-of-line values. `count` lets a test make an entry claim more values than it holds.
 *
 * @example
 * const bytes = buildTiff({ entries: [{ tag: 256, type: SHORT, values: [4] }], data: new Uint8Array(16) });
 */
export const BYTE = 1;
export const ASCII = 2;
export const SHORT = 3;
export const LONG = 4;
export const DOUBLE = 12;
export const DATA_OFFSET = 8;

export interface Entry {
  tag: number;
  type: number;
  values: number[] | string;
  /** Count written in the entry, when it should differ from the values given. */
  count?: number;
}

const SIZES: Record<number, number> = { [BYTE]: 1, [ASCII]: 1, [SHORT]: 2, [LONG]: 4, [DOUBLE]: 8 };

export function buildTiff(opts: { entries: Entry[]; data?: Uint8Array; littleEndian?: boolean }): Uint8Array {
  const le = opts.littleEndian ?? true;
  const data = opts.data ?? new Uint8Array(0);
  const entries = [...opts.entries].sort((a, b) => a.tag - b.tag);
  const ifdOffset = DATA_OFFSET + data.length + (data.length % 2);
  const ifdSize = 2 + entries.length * 12 + 4;
  const payloads = entries.map((e) => encodeValues(e, le));
  const extra = payloads.reduce((n, p) => n + (p.length > 4 ? p.length + (p.length % 2) : 0), 0);
  const out = new Uint8Array(ifdOffset + ifdSize + extra);
  const view = new DataView(out.buffer);
  out.set(le ? [0x49, 0x49] : [0x4d, 0x4d], 0);
  view.setUint16(2, 42, le);
  view.setUint32(4, ifdOffset, le);
  out.set(data, DATA_OFFSET);
  view.setUint16(ifdOffset, entries.length, le);
  let valueAt = ifdOffset + ifdSize;
  entries.forEach((e, i) => {
    const at = ifdOffset + 2 + i * 12;
    const payload = payloads[i];
    view.setUint16(at, e.tag, le);
    view.setUint16(at + 2, e.type, le);
    view.setUint32(at + 4, e.count ?? payload.length / SIZES[e.type], le);
    if (payload.length <= 4) {
      out.set(payload, at + 8);
    } else {
      view.setUint32(at + 8, valueAt, le);
      out.set(payload, valueAt);
      valueAt += payload.length + (payload.length % 2);
    }
  });
  return out;
}

function encodeValues(e: Entry, le: boolean): Uint8Array {
  if (typeof e.values === 'string') return new TextEncoder().encode(`${e.values}\0`);
  const size = SIZES[e.type];
  const out = new Uint8Array(e.values.length * size);
  const view = new DataView(out.buffer);
  e.values.forEach((v, i) => {
    if (e.type === BYTE) view.setUint8(i, v);
    else if (e.type === SHORT) view.setUint16(i * 2, v, le);
    else if (e.type === LONG) view.setUint32(i * 4, v, le);
    else view.setFloat64(i * 8, v, le);
  });
  return out;
}

/** Entries of a valid single-strip uncompressed uint8 image of `width` x `height` whose data is at DATA_OFFSET. */
export function stripImage(width: number, height: number, extra: Entry[] = []): Entry[] {
  const base: Entry[] = [
    { tag: 256, type: SHORT, values: [width] },
    { tag: 257, type: SHORT, values: [height] },
    { tag: 258, type: SHORT, values: [8] },
    { tag: 259, type: SHORT, values: [1] },
    { tag: 273, type: LONG, values: [DATA_OFFSET] },
    { tag: 277, type: SHORT, values: [1] },
    { tag: 278, type: SHORT, values: [height] },
    { tag: 279, type: LONG, values: [width * height] },
  ];
  const replaced = new Set(extra.map((e) => e.tag));
  return [...base.filter((e) => !replaced.has(e.tag)), ...extra];
}
