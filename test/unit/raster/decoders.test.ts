/**
 * Our small decoders and helpers: LZW and PackBits bounded by the expected size, predictors, range merging,
 * GDAL metadata parsing, the concurrency limit. Pixel-exact decoding of GDAL files is in
 * openRaster.fixtures.test.ts; these pin the edge cases.
 */
import { describe, expect, it } from 'vitest';
import { concurrencyLimit } from '../../../functions/core/raster/read/concurrencyLimit.ts';
import { decodeLzw } from '../../../functions/core/raster/read/decodeLzw.ts';
import { parseGdalMetadata } from '../../../functions/core/raster/read/gdalMetadata.ts';
import { planRangeReads } from '../../../functions/core/raster/read/planRangeReads.ts';
import { undoFloatingPointPredictor, undoHorizontalPredictor } from '../../../functions/core/raster/read/predictor.ts';
import { unpackBits } from '../../../functions/core/raster/read/unpackBits.ts';

/** Packs 9-bit LZW codes MSB first, as libtiff writes them before the first width change. */
function lzwCodes(codes: number[]): Uint8Array {
  const bits = codes.map((c) => c.toString(2).padStart(9, '0')).join('');
  const out = new Uint8Array(Math.ceil(bits.length / 8));
  for (let i = 0; i < bits.length; i++) if (bits[i] === '1') out[i >> 3] |= 0x80 >> (i & 7);
  return out;
}

describe('decodeLzw', () => {
  it('decodes literals, table codes and the KwKwK case', () => {
    // Prepare: clear, 'a', 'b', 258 ("ab"), 260 ("aba": the KwKwK code, defined by its own use), end
    const input = lzwCodes([256, 97, 98, 258, 260, 257]);
    // Act
    const out = decodeLzw(input, 7);
    // Assess
    expect(new TextDecoder().decode(out)).toBe('a' + 'b' + 'ab' + 'aba');
  });

  it('never writes more than expected, and reports short data by length', () => {
    // Prepare
    const input = lzwCodes([256, 97, 98, 258, 260, 257]);
    // Act / Assess
    expect(decodeLzw(input, 3).length).toBe(3);
    expect(decodeLzw(input, 100).length).toBe(7);
  });

  it('rejects a code that is not in the table', () => {
    // Act / Assess
    expect(() => decodeLzw(lzwCodes([256, 97, 300]), 10)).toThrow(/LZW code 300 is not in the table/);
  });
});

describe('unpackBits', () => {
  it('expands runs and literals and skips the -128 no-op', () => {
    // Prepare: run of 3 x 7, no-op, 2 literals
    const input = new Uint8Array([0xfe, 7, 0x80, 0x01, 9, 8]);
    // Act / Assess
    expect(Array.from(unpackBits(input, 5))).toEqual([7, 7, 7, 9, 8]);
    expect(Array.from(unpackBits(input, 2))).toEqual([7, 7]);
    expect(unpackBits(new Uint8Array([0x05, 1, 2]), 6).length).toBe(2);
  });
});

describe('predictors', () => {
  it('undoes horizontal differencing per sample and wraps like libtiff', () => {
    // Prepare: two pixels of two samples per row, two rows; uint16 wrap-around in row 2
    const data = new Uint16Array([1, 10, 2, 20, 65535, 0, 2, 1]);
    // Act
    undoHorizontalPredictor(data, 2, 2, 2);
    // Assess
    expect(Array.from(data)).toEqual([1, 10, 3, 30, 65535, 0, 1, 1]);
  });

  it('reassembles floating-point predictor bytes into host-order floats', () => {
    // Prepare: encode [1.5, -2.25] as libtiff does: big-endian byte planes, then byte differencing
    const values = new Float32Array([1.5, -2.25]);
    const be = new DataView(new ArrayBuffer(8));
    values.forEach((v, i) => be.setFloat32(i * 4, v, false));
    const planes = new Uint8Array(8);
    for (let b = 0; b < 4; b++) for (let k = 0; k < 2; k++) planes[b * 2 + k] = be.getUint8(k * 4 + b);
    for (let i = 7; i > 0; i--) planes[i] = (planes[i] - planes[i - 1]) & 0xff;
    const out = new Float32Array(2);
    // Act
    undoFloatingPointPredictor(planes, new Uint8Array(out.buffer), 2, 1, 1, 4);
    // Assess
    expect(Array.from(out)).toEqual([1.5, -2.25]);
  });
});

describe('planRangeReads', () => {
  it('merges ranges closer than the gap and splits at the request size', () => {
    // Prepare
    const ranges = [
      { offset: 1000, length: 100 }, { offset: 0, length: 100 }, { offset: 150, length: 50 }, { offset: 5000, length: 10 },
    ];
    // Act
    const reads = planRangeReads(ranges, 100, 1050);
    // Assess
    expect(reads.map((r) => [r.offset, r.length, r.parts.length])).toEqual([[0, 200, 2], [1000, 100, 1], [5000, 10, 1]]);
    expect(planRangeReads(ranges, 1000, 1100).map((r) => [r.offset, r.length])).toEqual([[0, 1100], [5000, 10]]);
  });
});

describe('parseGdalMetadata', () => {
  it('keeps dataset items and band descriptions, decodes entities, skips other domains and roles', () => {
    // Prepare
    const xml = `<GDALMetadata>
      <Item name="FIRST_DATE">2018-01-06</Item>
      <Item name="NOTE">a &lt; b &amp; &#233;t&#xE9;</Item>
      <Item name="EMPTY"/>
      <Item name="X" domain="IMAGE_STRUCTURE">no</Item>
      <Item name="DESCRIPTION" sample="1" role="description">nir</Item>
      <Item name="SCALE" sample="0" role="scale">0.0001</Item>
      <Item name="STATS" sample="0">band item</Item>
      <Item name="DESCRIPTION" sample="9" role="description">out of range</Item>
    </GDALMetadata>`;
    // Act
    const parsed = parseGdalMetadata(xml, 2);
    // Assess
    expect(parsed.metadata).toEqual({ FIRST_DATE: '2018-01-06', NOTE: 'a < b & été', EMPTY: '' });
    expect(parsed.descriptions).toEqual([undefined, 'nir']);
  });
});

describe('concurrencyLimit', () => {
  it('never runs more than the limit at once and runs every task', async () => {
    // Prepare
    const limited = concurrencyLimit(3);
    let active = 0;
    let peak = 0;
    const task = async (i: number) => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, (i % 3) + 1));
      active--;
      return i;
    };
    // Act
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => limited(() => task(i))));
    // Assess
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(peak).toBe(3);
  });
});
