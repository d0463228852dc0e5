/**
 * The part format between partitions and the merge: what is encoded decodes the same, read in chunks of any
 * size (the merge reads a window of each part, never a whole one).
 */
import { describe, expect, it } from 'vitest';
import { encodeParcelPart, PartReader, type ParcelRecord } from '../../../functions/core/ops/parcel-aggregate/parcelPart.ts';

const shape = { items: 2, bands: 3, stats: 2 };
const records: ParcelRecord[] = [0, 5, 9].map((index) => ({
  index, id: `parcel-${index}-é`,
  counts: Int32Array.from({ length: 12 }, (_, i) => index * 100 + i),
  stats: Float64Array.from({ length: 12 }, (_, i) => (i % 5 === 0 ? NaN : index + i / 7)),
}));

describe('parcel parts', () => {
  for (const chunk of [1, 7, 64, 1 << 20]) {
    it(`decodes what was encoded, reading ${chunk}-byte chunks`, async () => {
      // Prepare
      const bytes = encodeParcelPart(shape, records);
      const reads: number[] = [];
      const reader = new PartReader(async (offset, length) => { reads.push(length); return bytes.subarray(offset, offset + length); }, chunk);
      // Act
      const n = await reader.open();
      const out: ParcelRecord[] = [];
      for (let r = await reader.next(); r; r = await reader.next()) out.push(r);
      // Assess
      expect(n).toBe(3);
      expect(reader.shape).toEqual(shape);
      expect(out).toEqual(records);
      expect(Math.max(...reads)).toBeLessThanOrEqual(Math.max(chunk, 8 + 16 + 6 * (8 + 16)));
    });
  }

  it('rejects bytes that are not a part, and a truncated part', async () => {
    const bad = new PartReader(async () => new Uint8Array(16), 16);
    await expect(bad.open()).rejects.toThrow(/not a parcel-aggregate part/);
    const bytes = encodeParcelPart(shape, records).subarray(0, 60);
    const cut = new PartReader(async (o, l) => bytes.subarray(o, o + l), 1024);
    await cut.open();
    await expect(cut.next()).rejects.toThrow(/truncated/);
  });
});
