import { describe, expect, it } from 'vitest';
import { applyMask } from '../../../functions/core/ops/readItemAsset.ts';

describe('applyMask', () => {
  it('sets every value band to NaN where the class is excluded, and only there', () => {
    // Prepare: SCL-like classes, NaN outside the mask's file, a class above 255 (uint16 class layers) and -0
    const mask = new Float32Array([0, 1, 3, 4, 8, NaN, 300, 301, -0, 255, 2.5, 9]);
    const exclude = new Set([0, 3, 8, 300, 255, 2.5]);
    const red = new Float32Array(mask.length).map((_, i) => i + 1);
    const nir = red.map((v) => v * 10);
    // Act
    applyMask([red, nir], mask, exclude);
    // Assess
    const masked = Array.from(mask, (m) => exclude.has(m));
    expect(masked).toEqual([true, false, true, false, true, false, true, false, true, true, true, false]);
    masked.forEach((m, i) => {
      expect(Number.isNaN(red[i])).toBe(m);
      expect(Number.isNaN(nir[i])).toBe(m);
      if (!m) expect(nir[i]).toBe((i + 1) * 10);
    });
  });
});
