import { describe, expect, it } from 'vitest';
import { createReducer, interpolate, REDUCERS, type ReducerName } from '../../../functions/core/ops/reducers.ts';

// Reference values computed by hand with numpy's definitions for a 5-date series per pixel.
const series = [
  [0.2, NaN, 0.4, 0.1, 0.3], // 4 valid
  [NaN, NaN, NaN, NaN, NaN], // none
  [0.5, NaN, NaN, NaN, NaN], // one
  [1, 2, NaN, 3, 4],          // even count
];

function reduce(name: ReducerName): number[] {
  const pixels = series.length, layers = series[0].length;
  const r = createReducer(name, pixels, layers);
  for (let k = 0; k < layers; k++) r.add(Float32Array.from(series.map((s) => s[k])));
  return Array.from(r.result());
}

const f32 = (v: number) => Math.fround(v);

describe('reducers', () => {
  it.each<[ReducerName, number[]]>([
    ['mean', [0.25, NaN, 0.5, 2.5]],
    ['sum', [1.0, NaN, 0.5, 10]],
    ['count', [4, 0, 1, 4]],
    ['min', [0.1, NaN, 0.5, 1]],
    ['max', [0.4, NaN, 0.5, 4]],
    ['first', [0.2, NaN, 0.5, 1]],
    ['last', [0.3, NaN, 0.5, 4]],
    ['median', [0.25, NaN, 0.5, 2.5]],
    ['std', [Math.sqrt(0.0125), NaN, 0, Math.sqrt(1.25)]],
    ['p10', [0.13, NaN, 0.5, 1.3]],
    ['p90', [0.37, NaN, 0.5, 3.7]],
    ['p25', [0.175, NaN, 0.5, 1.75]],
  ])('%s follows numpy nan-semantics', (name, expected) => {
    const got = reduce(name);
    expected.forEach((e, i) => {
      if (Number.isNaN(e)) expect(got[i]).toBeNaN();
      else expect(Math.abs(got[i] - f32(e))).toBeLessThanOrEqual(Math.abs(f32(e)) * 2e-7 + 1e-7);
    });
  });

  it('every declared reducer is implemented', () => {
    for (const name of REDUCERS) expect(() => reduce(name)).not.toThrow();
  });

  it('interpolates percentiles linearly between order statistics', () => {
    expect(interpolate(Float64Array.from([1, 2, 3, 4]), 4, 50)).toBe(2.5);
    expect(interpolate(Float64Array.from([10]), 1, 75)).toBe(10);
  });

  it('refuses more layers than it was sized for', () => {
    const r = createReducer('median', 1, 1);
    r.add(new Float32Array([1]));
    expect(() => r.add(new Float32Array([2]))).toThrow('more layers');
  });
});
