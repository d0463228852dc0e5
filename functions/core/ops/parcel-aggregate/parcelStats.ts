/**
 * Statistics of one parcel's valid pixel values, as numpy computes them on float64: mean, population std
 * (ddof=0, two passes), min, max, sum, and linear percentiles (numpy's default method). With no valid value
 * every statistic is NaN (null in the table) and the count is 0.
 *
 * @example
 * const plan = statColumns(['count', 'mean', 'p50']); // ['mean', 'p50']
 * statsOf(Float32Array.of(1, 2, 3, 4), 4, plan, out, 0); // out: [2.5, 2.5]
 */
import { InputError } from '../../errors.ts';
import { Float32ArraySorter } from './sortFloat32.ts';

/** The statistic columns after `count` and `nodata_count`, in the order asked, without repeats. */
export function statColumns(stats: string[]): string[] {
  return [...new Set(stats.filter((s) => s !== 'count'))];
}

/** The percentile a column stands for (median is p50), or undefined. */
export function percentileOfColumn(name: string): number | undefined {
  if (name === 'median') return 50;
  const m = /^p(\d+)$/.exec(name);
  if (!m) return undefined;
  const q = Number(m[1]);
  if (q < 1 || q > 99) throw new InputError('params.stats', `percentile ${name} is out of 1..99`);
  return q;
}

/**
 * Writes the statistics of `values[0..n)` into `out[at..at + columns.length)`. Sorts `values` in place
 * when a percentile is asked for (pass a `sorter` to reuse its buffers across parcels).
 */
export function statsOf(values: Float32Array, n: number, columns: string[], out: Float64Array, at: number, sorter = new Float32ArraySorter(n)): void {
  if (n === 0) {
    out.fill(Number.NaN, at, at + columns.length);
    return;
  }
  let sum = 0, min = Infinity, max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = sum / n;
  let sorted = false;
  for (let c = 0; c < columns.length; c++) {
    const name = columns[c];
    let v: number;
    if (name === 'mean') v = mean;
    else if (name === 'sum') v = sum;
    else if (name === 'min') v = min;
    else if (name === 'max') v = max;
    else if (name === 'std') {
      let ss = 0;
      for (let i = 0; i < n; i++) {
        const d = values[i] - mean;
        ss += d * d;
      }
      v = Math.sqrt(ss / n);
    } else {
      const q = percentileOfColumn(name)!;
      if (!sorted) {
        sorter.sort(values, n);
        sorted = true;
      }
      v = linearPercentile(values, n, q);
    }
    out[at + c] = v;
  }
}

/** numpy.percentile(method='linear') of sorted `values[0..n)`, including numpy's lerp form. */
export function linearPercentile(values: Float32Array, n: number, q: number): number {
  const h = ((n - 1) * q) / 100;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  const t = h - lo;
  const a = values[lo], b = values[hi];
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}
