/**
 * Per-parcel statistics against numpy's definitions (population std, linear percentiles), and the radix sort
 * they rely on against a plain sort.
 */
import { describe, expect, it } from 'vitest';
import { statColumns, statsOf } from '../../../functions/core/ops/parcel-aggregate/parcelStats.ts';
import { Float32ArraySorter } from '../../../functions/core/ops/parcel-aggregate/sortFloat32.ts';

describe('statsOf', () => {
  it('matches numpy: mean, std (ddof=0), min, max, sum, linear percentiles', () => {
    // Prepare: numpy.percentile([1, 2, 3, 4, 10], [25, 50, 75, 90]) = [2, 3, 4, 7.6]; std = 3.1622776601683795
    const values = Float32Array.of(10, 3, 1, 4, 2);
    const cols = statColumns(['count', 'mean', 'std', 'min', 'max', 'sum', 'p25', 'median', 'p75', 'p90']);
    const out = new Float64Array(cols.length);
    // Act
    statsOf(values, 5, cols, out, 0);
    // Assess
    expect(cols).toEqual(['mean', 'std', 'min', 'max', 'sum', 'p25', 'median', 'p75', 'p90']);
    expect(Array.from(out)).toEqual([4, 3.1622776601683795, 1, 10, 20, 2, 3, 4, expect.closeTo(7.6, 12)]);
  });

  it('gives NaN (null in the table) for a parcel without valid pixels', () => {
    const out = new Float64Array(3).fill(7);
    statsOf(new Float32Array(0), 0, ['mean', 'std', 'p50'], out, 0);
    expect(Array.from(out)).toEqual([NaN, NaN, NaN]);
  });
});

describe('Float32ArraySorter', () => {
  it('sorts like Array.prototype.sort, negatives, zeros and repeats included, short and long', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const sorter = new Float32ArraySorter(8);
    for (const n of [1, 5, 48, 49, 1000, 70000]) {
      // Prepare: a mix of wide and narrow ranges, so that some radix passes are skipped
      const values = Float32Array.from({ length: n + 3 }, (_, i) => (i % 3 ? (rand() - 0.3) * 1e4 : Math.round(rand() * 4) - 2));
      const expected = Array.from(values.subarray(0, n)).sort((a, b) => a - b);
      // Act
      sorter.sort(values, n);
      // Assess
      expect(Array.from(values.subarray(0, n))).toEqual(expected);
    }
  });
});
