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
export const STREAMING_REDUCERS = ['mean', 'min', 'max', 'sum', 'count', 'std', 'first', 'last'] as const;
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
      const buf = new Float64Array(added);
      for (let i = 0; i < pixels; i++) {
        let n = 0;
        for (let k = 0; k < added; k++) {
          const v = stack[k * pixels + i];
          if (v !== v) continue;
          // insertion sort: series are short (a few to a few dozen dates)
          let j = n++;
          while (j > 0 && buf[j - 1] > v) { buf[j] = buf[j - 1]; j--; }
          buf[j] = v;
        }
        out[i] = n === 0 ? NaN : interpolate(buf, n, q);
      }
      return out;
    },
  };
}

/** numpy's default 'linear' percentile of the first `n` sorted values. */
export function interpolate(sorted: Float64Array, n: number, q: number): number {
  const h = ((n - 1) * q) / 100;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}
