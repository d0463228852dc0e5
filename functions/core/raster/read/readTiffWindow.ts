/**
 * Reads one band of a window of a TIFF: finds the blocks the window touches, fetches them in merged range
 * requests, decodes several at once and copies each straight into the output. Pixels outside the image and
 * sparse blocks (offset or size 0, as GDAL writes for empty tiles) get `fill`.
 *
 * @example
 * const red = await readTiffWindow(bytes, layout, { x: 0, y: 0, width: 512, height: 512 }, 0, 0);
 */
import { BadTiffError, InputError } from '../../errors.ts';
import { DECODE_BUDGET } from './byteBudget.ts';
import { concurrencyLimit } from './concurrencyLimit.ts';
import { decodeBlock } from './decodeBlock.ts';
import { allocate } from '../dtypes.ts';
import { planRangeReads } from './planRangeReads.ts';
import type { TiffBytes } from './tiffBytes.ts';
import { blockIndex, type TiffLayout } from './tiffLayout.ts';
import type { TypedArray, Window } from '../types.ts';

/** Range requests in flight at once (each up to MAX_REQUEST_BYTES). */
const FETCH_CONCURRENCY = 4;
/** Blocks decoding at once per read: enough to keep libuv's 4 pool threads busy; bytes are bounded by DECODE_BUDGET. */
const DECODE_CONCURRENCY = 8;

interface BlockPart {
  offset: number;
  length: number;
  index: number;
  col: number;
  row: number;
}

export async function readTiffWindow(
  bytes: TiffBytes, layout: TiffLayout, window: Window, band: number, fill: number,
): Promise<TypedArray> {
  checkRequest(bytes.href, layout, window, band);
  const out = allocate(layout.dtype, window.width * window.height);
  const x0 = Math.max(window.x, 0);
  const y0 = Math.max(window.y, 0);
  const x1 = Math.min(window.x + window.width, layout.width);
  const y1 = Math.min(window.y + window.height, layout.height);
  const partial = x0 > window.x || y0 > window.y || x1 < window.x + window.width || y1 < window.y + window.height;
  if (x1 <= x0 || y1 <= y0) return fill === 0 ? out : out.fill(fill);

  const parts: BlockPart[] = [];
  let sparse = false;
  const [bw, bh] = [layout.blockWidth, layout.blockHeight];
  for (let row = Math.floor(y0 / bh); row <= Math.floor((y1 - 1) / bh); row++) {
    for (let col = Math.floor(x0 / bw); col <= Math.floor((x1 - 1) / bw); col++) {
      const index = blockIndex(layout, band, col, row);
      const [offset, length] = [layout.blockOffsets[index], layout.blockByteCounts[index]];
      if (offset === 0 || length === 0) sparse = true;
      else parts.push({ offset, length, index, col, row });
    }
  }
  if (fill !== 0 && (partial || sparse)) out.fill(fill);

  const kind = layout.tiled ? 'tile' : 'strip';
  const samples = layout.planar === 1 ? layout.bands : 1;
  const fetchSlot = concurrencyLimit(FETCH_CONCURRENCY);
  const decodeSlot = concurrencyLimit(DECODE_CONCURRENCY);
  const clip = { x0, y0, x1, y1 };
  await Promise.all(planRangeReads(parts).map((read) => fetchSlot(async () => {
    const got = await bytes.readUpTo(read.offset, read.length);
    await Promise.all(read.parts.map((part) => decodeSlot(async () => {
      const start = part.offset - read.offset;
      const what = `${kind} ${part.index}`;
      if (start + part.length > got.length) {
        throw new BadTiffError(bytes.href, `${what} (bytes ${part.offset}..${part.offset + part.length}) is past the end of the file: the file is truncated`);
      }
      const rows = layout.tiled ? bh : Math.min(bh, layout.height - part.row * bh);
      // The decoded block (all its samples) counts against the process's bytes in flight until placed.
      await DECODE_BUDGET.run(bw * rows * samples * layout.bytesPerSample, async () => {
        const data = await decodeBlock(layout, got.subarray(start, start + part.length), { width: bw, rows }, what, bytes.href);
        placeBlock(out, window, clip, data, part.col * bw, part.row * bh, bw, rows, samples, band);
      });
    })));
  })));
  return out;
}

function placeBlock(
  out: TypedArray, window: Window, clip: { x0: number; y0: number; x1: number; y1: number },
  data: TypedArray, bx: number, by: number, bw: number, rows: number, samples: number, band: number,
): void {
  const xs = Math.max(clip.x0, bx);
  const xe = Math.min(clip.x1, bx + bw);
  const ys = Math.max(clip.y0, by);
  const ye = Math.min(clip.y1, by + rows);
  const n = xe - xs;
  const sample = samples > 1 ? band : 0;
  for (let y = ys; y < ye; y++) {
    const src = ((y - by) * bw + (xs - bx)) * samples + sample;
    const dst = (y - window.y) * window.width + (xs - window.x);
    if (samples === 1) {
      out.set(data.subarray(src, src + n), dst);
    } else {
      for (let i = 0, s = src; i < n; i++, s += samples) out[dst + i] = data[s];
    }
  }
}

function checkRequest(href: string, layout: TiffLayout, window: Window, band: number): void {
  if (!Number.isInteger(band) || band < 0 || band >= layout.bands) {
    throw new InputError(href, `band ${band} does not exist (the file has ${layout.bands}, numbered from 0)`);
  }
  const { x, y, width, height } = window;
  if (![x, y, width, height].every(Number.isSafeInteger) || width < 0 || height < 0) {
    throw new InputError(href, `invalid window ${JSON.stringify(window)}: integers expected, size not negative`);
  }
}
