/**
 * A preview a person can read at a glance: the histogram of per-parcel means of the first band on the first
 * date (parcels with valid pixels), 320 × 160 px, bars coloured along the value axis, with the share of parcels
 * without any valid pixel as a grey bar on the right.
 *
 * @example
 * const png = parcelHistogramPng(Float32Array.of(0.1, 0.5, NaN));
 */
import { encodePng } from '../../raster/encodePng.ts';
import { rampLut } from '../../raster/previewRamps.ts';

const W = 320, H = 160, BINS = 64, BAR = 4, EMPTY_X = BINS * BAR + 16;

export function parcelHistogramPng(means: Float32Array): Uint8Array {
  let lo = Infinity, hi = -Infinity, empty = 0;
  for (const v of means) {
    if (Number.isNaN(v)) empty++;
    else { if (v < lo) lo = v; if (v > hi) hi = v; }
  }
  const bins = new Float64Array(BINS);
  if (lo <= hi) {
    const scale = hi > lo ? BINS / (hi - lo) : 0;
    for (const v of means) if (!Number.isNaN(v)) bins[Math.min(BINS - 1, Math.floor((v - lo) * scale))]++;
  }
  const top = Math.max(1, empty, ...bins);
  const rgba = new Uint8Array(W * H * 4).fill(255);
  const lut = rampLut('viridis');
  const bar = (x0: number, width: number, n: number, rgb: [number, number, number]) => {
    const h = Math.round((n / top) * (H - 8));
    for (let y = H - h; y < H; y++) {
      for (let x = x0; x < x0 + width; x++) rgba.set([...rgb, 255], (y * W + x) * 4);
    }
  };
  bins.forEach((n, b) => {
    const c = Math.round((b / (BINS - 1)) * 255);
    bar(b * BAR, BAR - 1, n, [lut[c * 3], lut[c * 3 + 1], lut[c * 3 + 2]]);
  });
  bar(EMPTY_X, 24, empty, [160, 160, 160]);
  return encodePng(rgba, W, H);
}
