/**
 * Colour ramps for single-band quicklooks, as 256-entry RGB lookup tables. Stops: ColorBrewer RdYlGn
 * (11 classes) for 'ndvi', so bare soil reads red and dense vegetation green; matplotlib's viridis for a
 * perceptually uniform alternative; and a plain grey ramp.
 */
export type RampName = 'ndvi' | 'gray' | 'viridis';

const STOPS: Record<RampName, string[]> = {
  ndvi: ['a50026', 'd73027', 'f46d43', 'fdae61', 'fee08b', 'ffffbf', 'd9ef8b', 'a6d96a', '66bd63', '1a9850', '006837'],
  viridis: ['440154', '482878', '3e4989', '31688e', '26828e', '1f9e89', '35b779', '6ece58', 'b5de2b', 'fde725'],
  gray: ['000000', 'ffffff'],
};

const cache = new Map<RampName, Uint8Array>();

/**
 * RGB triplets for positions 0…255 along the ramp, linearly interpolated between its stops.
 *
 * @example
 * const lut = rampLut('ndvi'); // lut[0..2] is dark red, lut[765..767] dark green
 */
export function rampLut(ramp: RampName): Uint8Array {
  const hit = cache.get(ramp);
  if (hit) return hit;
  const stops = (STOPS[ramp] ?? []).map((hex) => [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16)));
  if (stops.length === 0) throw new RangeError(`unknown colour ramp "${ramp}"`);
  const lut = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    const pos = (i / 255) * (stops.length - 1);
    const k = Math.min(Math.floor(pos), stops.length - 2);
    const f = pos - k;
    for (let c = 0; c < 3; c++) lut[i * 3 + c] = Math.round(stops[k][c] * (1 - f) + stops[k + 1][c] * f);
  }
  cache.set(ramp, lut);
  return lut;
}
