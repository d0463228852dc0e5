/**
 * Per-pixel reducers across a time series, with numpy's nan-function semantics: NaN is ignored, `std` is
 * the population std (ddof=0), percentiles interpolate linearly, and a pixel with no valid value is NaN
 * (`count` is 0 there). Streaming reducers keep O(1) layers; order statistics keep the stack.
 *
 * @example
 * const r = createReducer('median', width * height, items.length);
 * for (const layer of layers) r.add(layer);
 * const out = r.result();
 */
const STREAMING_REDUCERS = ['mean', 'min', 'max', 'sum', 'count', 'std', 'first', 'last'] as const;
export const PERCENTILES = ['p10', 'p20', 'p25', 'p30', 'p40', 'p50', 'p60', 'p70', 'p75', 'p80', 'p90'] as const;
export const REDUCERS = [...STREAMING_REDUCERS, 'median', ...PERCENTILES] as const;
export type ReducerName = (typeof REDUCERS)[number];

export interface Reducer {
  /** Adds one layer (a date) in time order; NaN means no valid value. */
  add(layer: Float32Array): void;
  result(): Float32Array;
}

/** Bytes per pixel a reducer holds while `layers` layers are added: the planner's memory model uses it. */
export function reducerBytesPerPixel(name: ReducerName, layers: number): number {
  if (name === 'std' || name === 'mean') return 8 + 8 + 8 + 4;
  if ((STREAMING_REDUCERS as readonly string[]).includes(name)) return 4 + 4 + 4;
  return layers * 4 + 4;
}

export function percentileOf(name: ReducerName): number | undefined {
  if (name === 'median') return 50;
  return name.startsWith('p') ? Number(name.slice(1)) : undefined;
}

export function createReducer(name: ReducerName, pixels: number, layers: number): Reducer {
  const q = percentileOf(name);
  if (q !== undefined) return stackReducer(pixels, layers, q);
  switch (name) {
    case 'mean': case 'std': return momentsReducer(pixels, name);
    case 'sum': return sumReducer(pixels);
    case 'count': return countReducer(pixels);
    case 'min': case 'max': return extremeReducer(pixels, name);
    case 'first': case 'last': return pickReducer(pixels, name);
  }
  throw new Error(`unknown reducer ${name}`);
}

function momentsReducer(pixels: number, kind: 'mean' | 'std'): Reducer {
  // Welford: stable for the long, near-constant series that coherence and reflectance give.
  const n = new Float64Array(pixels), mean = new Float64Array(pixels), m2 = kind === 'std' ? new Float64Array(pixels) : undefined;
  return {
    add(layer) {
      for (let i = 0; i < pixels; i++) {
        const v = layer[i];
        if (v !== v) continue;
        const k = ++n[i], d = v - mean[i];
        mean[i] += d / k;
        if (m2) m2[i] += d * (v - mean[i]);
      }
    },
    result() {
      const out = new Float32Array(pixels);
      for (let i = 0; i < pixels; i++) out[i] = n[i] === 0 ? NaN : m2 ? Math.sqrt(m2[i] / n[i]) : mean[i];
      return out;
    },
  };
}

function sumReducer(pixels: number): Reducer {
  const sum = new Float64Array(pixels).fill(NaN);
  return {
    add(layer) {
      for (let i = 0; i < pixels; i++) {
        const v = layer[i];
        if (v === v) sum[i] = sum[i] === sum[i] ? sum[i] + v : v;
      }
    },
    result: () => Float32Array.from(sum),
  };
}

function countReducer(pixels: number): Reducer {
  const out = new Float32Array(pixels);
  return {
    add(layer) { for (let i = 0; i < pixels; i++) if (layer[i] === layer[i]) out[i]++; },
    result: () => out,
  };
}

function extremeReducer(pixels: number, kind: 'min' | 'max'): Reducer {
  const out = new Float32Array(pixels).fill(NaN);
  const better = kind === 'min' ? (a: number, b: number) => a < b : (a: number, b: number) => a > b;
  return {
    add(layer) {
      for (let i = 0; i < pixels; i++) {
        const v = layer[i];
        if (v === v && (out[i] !== out[i] || better(v, out[i]))) out[i] = v;
      }
    },
    result: () => out,
  };
}

function pickReducer(pixels: number, kind: 'first' | 'last'): Reducer {
  const out = new Float32Array(pixels).fill(NaN);
  return {
    add(layer) {
      for (let i = 0; i < pixels; i++) {
        const v = layer[i];
        if (v === v && (kind === 'last' || out[i] !== out[i])) out[i] = v;
      }
    },
    result: () => out,
  };
}

function stackReducer(pixels: number, layers: number, q: number): Reducer {
  const stack = new Float32Array(pixels * layers);
  let added = 0;
  return {
    add(layer) {
      if (added >= layers) throw new Error(`more layers than the ${layers} planned`);
      stack.set(layer, added * pixels);
      added++;
    },
    result() {
      const out = new Float32Array(pixels);
      stackPercentile(stack, pixels, added, q, out);
      return out;
    },
  };
}

/**
 * The q-th percentile (numpy 'linear', NaN ignored) of each pixel of a date-major stack: `stack[k * pixels + i]`
 * is date k of pixel i. Missing values are NaN in a float stack; in an integer stack (values that fit in
 * int32 with room to spare, e.g. uint8/uint16/int16) they equal `missing`. Writes NaN where nothing is valid,
 * and, when `counts` is given, the number of valid dates of each pixel into it.
 *
 * @example
 * stackPercentile(stack, pixels, 12, 50, out);          // Float32Array stack, NaN = missing
 * stackPercentile(u16stack, pixels, 12, 50, out, 0);    // Uint16Array stack, 0 = missing
 */
export function stackPercentile(
  stack: Float32Array | Uint8Array | Uint16Array | Int16Array, pixels: number, layers: number, q: number, out: Float32Array,
  missing?: number, counts?: Float32Array,
): void {
  const integer = !(stack instanceof Float32Array);
  if (integer && missing === undefined) throw new Error('an integer stack needs its missing-value marker');
  if (layers > MAX_NETWORK_LAYERS) return insertionPercentile(stack, pixels, layers, q, out, missing, counts);
  const kernel = percentileKernel(layers, q, integer, counts !== undefined);
  const lo = new Int32Array(layers + 1), hi = new Int32Array(layers + 1), frac = new Float64Array(layers + 1);
  for (let n = 1; n <= layers; n++) {
    const h = ((n - 1) * q) / 100;
    lo[n] = Math.floor(h);
    hi[n] = Math.min(lo[n] + 1, n - 1);
    frac[n] = h - lo[n];
  }
  kernel(stack, pixels, out, lo, hi, frac, missing ?? 0, counts);
}

/** Above this many dates the straight-line sorting network gets long; series that long use insertion sort. */
const MAX_NETWORK_LAYERS = 32;

type PercentileKernel = (
  stack: ArrayLike<number>, pixels: number, out: Float32Array, lo: Int32Array, hi: Int32Array, frac: Float64Array, missing: number,
  counts: Float32Array | undefined,
) => void;

const kernels = new Map<string, PercentileKernel>();

/**
 * A kernel compiled for one series length: per pixel the values are loaded into locals, missing ones
 * replaced by a value above every valid one (+Infinity, or 2^20 for integers), and sorted by a fixed
 * compare-exchange network (Batcher's odd-even merge sort, pruned to the positions the percentile reads).
 * Then the first `n` sorted values are the sorted valid values, whatever `n` is, with no per-pixel
 * branching on the data. Straight-line code over locals is what lets V8 keep the series in registers;
 * integer compare-exchanges are branch-free (sign-mask arithmetic), which is why integer stacks are faster.
 * The interpolation is numpy's, in float64, as `interpolate` does: results are bit-identical to it.
 */
function percentileKernel(layers: number, q: number, integer: boolean, counting: boolean): PercentileKernel {
  const key = `${layers}:${q}:${integer}:${counting}`;
  const hit = kernels.get(key);
  if (hit) return hit;
  const read = new Set<number>();
  for (let n = 1; n <= layers; n++) {
    const h = ((n - 1) * q) / 100;
    read.add(Math.floor(h));
    read.add(Math.min(Math.floor(h) + 1, n - 1));
  }
  const network = pruneNetwork(batcherNetwork(layers), read);
  const v = (k: number) => `v${k}`;
  const body: string[] = [
    `const buf = new ${integer ? 'Int32Array' : 'Float64Array'}(${layers});`,
    'for (let i = 0; i < pixels; i++) {',
    `let c = 0${integer ? ', d = 0' : ', t = 0'};`,
  ];
  for (let k = 0; k < layers; k++) {
    body.push(integer
      ? `let ${v(k)} = stack[i + ${k} * pixels] | 0; if (${v(k)} === missing) ${v(k)} = ${INT_MISSING}; else c++;`
      : `let ${v(k)} = stack[i + ${k} * pixels]; if (${v(k)} === ${v(k)}) c++; else ${v(k)} = Infinity;`);
  }
  for (const [a, b] of network) {
    body.push(integer
      // d = a - b when b < a, else 0: a becomes the min, b the max, without a branch.
      ? `d = (${v(a)} - ${v(b)}) & ((${v(b)} - ${v(a)}) >> 31); ${v(a)} -= d; ${v(b)} += d;`
      : `if (${v(a)} > ${v(b)}) { t = ${v(a)}; ${v(a)} = ${v(b)}; ${v(b)} = t; }`);
  }
  for (const k of [...read].sort((x, y) => x - y)) body.push(`buf[${k}] = ${v(k)};`);
  if (counting) body.push('counts[i] = c;');
  body.push('if (c === 0) { out[i] = NaN; continue; }');
  body.push('const l = buf[lo[c]]; out[i] = l + frac[c] * (buf[hi[c]] - l);');
  body.push('}');
  // Generated from numbers only (no user input reaches the source text).
  const kernel = new Function('stack', 'pixels', 'out', 'lo', 'hi', 'frac', 'missing', 'counts', body.join('\n')) as PercentileKernel;
  kernels.set(key, kernel);
  return kernel;
}

/** Above any uint16/int16 value, and small enough that differences of two values never overflow int32. */
const INT_MISSING = 1 << 20;

/** Batcher's odd-even merge sort for any n: compare-exchange pairs [lower, upper] in order. */
export function batcherNetwork(n: number): [number, number][] {
  const pairs: [number, number][] = [];
  for (let p = 1; p < n; p *= 2) {
    for (let k = p; k >= 1; k = Math.floor(k / 2)) {
      for (let j = k % p; j <= n - 1 - k; j += 2 * k) {
        for (let i = 0; i <= Math.min(k - 1, n - j - k - 1); i++) {
          if (Math.floor((i + j) / (p * 2)) === Math.floor((i + j + k) / (p * 2))) pairs.push([i + j, i + j + k]);
        }
      }
    }
  }
  return pairs;
}

/** Drops the compare-exchanges whose results no read position depends on (walking the network backwards). */
function pruneNetwork(pairs: [number, number][], read: Set<number>): [number, number][] {
  const needed = new Set(read);
  const kept: [number, number][] = [];
  for (let c = pairs.length - 1; c >= 0; c--) {
    const [a, b] = pairs[c];
    if (!needed.has(a) && !needed.has(b)) continue;
    needed.add(a);
    needed.add(b);
    kept.push(pairs[c]);
  }
  return kept.reverse();
}

function insertionPercentile(
  stack: ArrayLike<number>, pixels: number, layers: number, q: number, out: Float32Array, missing: number | undefined,
  counts: Float32Array | undefined,
): void {
  const buf = new Float64Array(layers);
  for (let i = 0; i < pixels; i++) {
    let n = 0;
    for (let k = 0; k < layers; k++) {
      const v = stack[k * pixels + i];
      if (v !== v || v === missing) continue;
      let j = n++;
      while (j > 0 && buf[j - 1] > v) { buf[j] = buf[j - 1]; j--; }
      buf[j] = v;
    }
    out[i] = n === 0 ? NaN : interpolate(buf, n, q);
    if (counts) counts[i] = n;
  }
}

/** numpy's default 'linear' percentile of the first `n` sorted values. */
export function interpolate(sorted: Float64Array, n: number, q: number): number {
  const h = ((n - 1) * q) / 100;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}
