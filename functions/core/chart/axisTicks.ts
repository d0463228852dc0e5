/**
 * Round tick values for a chart axis (steps of 1, 2 or 5 × 10ⁿ) and labels that show no more digits than
 * the step needs.
 *
 * @example
 * axisTicks(0.13, 0.87, 5); // { lo: 0, hi: 1, ticks: [0, 0.2, 0.4, 0.6, 0.8, 1], decimals: 1 }
 */
export function axisTicks(min: number, max: number, target = 5): { lo: number; hi: number; ticks: number[]; decimals: number } {
  if (!Number.isFinite(min) || !Number.isFinite(max)) { min = 0; max = 1; }
  if (max === min) { min -= 0.5; max += 0.5; }
  const raw = (max - min) / target;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw)!;
  const lo = Math.floor(min / step) * step, hi = Math.ceil(max / step) * step;
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const ticks: number[] = [];
  for (let v = lo; v <= hi + step / 2; v += step) ticks.push(Number(v.toFixed(decimals)));
  return { lo, hi, ticks, decimals };
}

/** A tick label: fixed decimals, thousands without separators, "-0" as "0". */
export function tickLabel(v: number, decimals: number): string {
  const s = v.toFixed(decimals);
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}
