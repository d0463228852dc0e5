/**
 * The compiled percentile kernels (sorting networks over a date-major stack) against the reference
 * definition: sort the valid values, numpy's linear `interpolate`. Bit-identical results are required,
 * for float stacks (NaN = missing) and integer stacks (nodata = missing), every series length up to the
 * network limit and beyond it (insertion sort).
 */
import { describe, expect, it } from 'vitest';
import { batcherNetwork, interpolate, stackPercentile } from '../../../functions/core/ops/reducers.ts';

/** Deterministic pseudo-random numbers (LCG), so a failure reproduces. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function reference(values: number[], q: number): number {
  const valid = values.filter((v) => v === v).sort((a, b) => a - b);
  return valid.length === 0 ? NaN : interpolate(Float64Array.from(valid), valid.length, q);
}

function series(pixels: number, layers: number, next: () => number, missingShare: number): number[][] {
  return Array.from({ length: pixels }, () => Array.from({ length: layers }, () => (next() < missingShare ? NaN : 1 + Math.floor(next() * 4000))));
}

describe('stackPercentile', () => {
  it.each([1, 2, 3, 5, 8, 12, 13, 16, 24, 32, 40])('float stack of %i dates equals sort + interpolate bit for bit', (layers) => {
    // Prepare: some pixels all missing, some all valid, ties, and non-integer values
    const next = random(layers);
    const pixels = 300;
    const data = series(pixels, layers, next, 0.3).map((s, i) => (i % 7 === 0 ? s.map(() => NaN) : i % 5 === 0 ? s.map((v) => (v === v ? v : 9)) : s.map((v) => v / 7)));
    const stack = new Float32Array(pixels * layers);
    data.forEach((s, i) => s.forEach((v, k) => { stack[k * pixels + i] = v; }));
    for (const q of [50, 10, 25, 75, 90]) {
      // Act
      const out = new Float32Array(pixels);
      stackPercentile(stack, pixels, layers, q, out);
      // Assess
      data.forEach((_, i) => {
        const column = Array.from({ length: layers }, (_, k) => stack[k * pixels + i]);
        expect(Object.is(out[i], Math.fround(reference(column, q))), `pixel ${i} q ${q}`).toBe(true);
      });
    }
  });

  it.each([
    ['uint16', Uint16Array, 0],
    ['uint8', Uint8Array, 255],
    ['int16', Int16Array, -32768],
  ] as const)('%s stack with nodata %i as missing equals the float stack', (_name, Ctor, missing) => {
    // Prepare
    const layers = 12, pixels = 500;
    const next = random(7);
    const span = Ctor === Uint8Array ? 250 : 60000;
    const offset = Ctor === Int16Array ? -30000 : 1;
    const stack = new Ctor(pixels * layers);
    const floats = new Float32Array(pixels * layers);
    for (let j = 0; j < stack.length; j++) {
      const v = next() < 0.25 ? missing : offset + Math.floor(next() * span);
      stack[j] = v;
      floats[j] = v === missing ? NaN : v;
    }
    // Act
    const fromInts = new Float32Array(pixels), fromFloats = new Float32Array(pixels);
    stackPercentile(stack, pixels, layers, 50, fromInts, missing);
    stackPercentile(floats, pixels, layers, 50, fromFloats);
    // Assess
    expect(Array.from(fromInts)).toEqual(Array.from(fromFloats));
    expect(fromInts.some((v) => v % 1 === 0.5)).toBe(true); // even counts average the middle two
  });

  it('sorts every 0/1 input: Batcher networks are correct for lengths that are no power of two', () => {
    for (const n of [3, 6, 12, 13]) {
      const pairs = batcherNetwork(n);
      for (let bits = 0; bits < 1 << n; bits++) {
        const v = Array.from({ length: n }, (_, k) => (bits >> k) & 1);
        for (const [a, b] of pairs) if (v[a] > v[b]) [v[a], v[b]] = [v[b], v[a]];
        expect(v.join('')).toBe([...v].sort().join(''));
      }
    }
  });

  it('needs the missing marker of an integer stack', () => {
    expect(() => stackPercentile(new Uint16Array(4), 2, 2, 50, new Float32Array(2))).toThrow('missing-value marker');
  });
});
