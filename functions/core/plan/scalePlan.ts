/**
 * The plan of a large job in the figures that decide whether to run it: tiles, partitions, memory per
 * partition, total GB-seconds and Lambda cost, and wall time at a given concurrency. Seconds come from
 * throughputs measured on the development machine (one core of a 2 vCPU AMD EPYC, Node 22; `npm run bench
 * -- parcels-national` and docs/scale.md), taken as one Lambda vCPU (1,769 MB gives one full vCPU):
 * - parcel-aggregate: decoding DECODE_PIXELS_PER_SECOND input samples, PARCEL_SECONDS per parcel read,
 *   projected and rasterised, RECORD_SECONDS per row of statistics (8 statistics, percentiles included);
 *   its merge writes MERGE_ROWS_PER_SECOND rows, one tile after another in one finalize function;
 * - raster ops: `costModel.ts`'s throughputs (item-pixels per second; merge pixels per second).
 * Requests (SQS, S3, DynamoDB) are priced as in `costModel.ts`.
 *
 * @example
 * const s = scalePlan(plan, { concurrency: 1000 });
 * formatScale(s); // "28 tiles, 1,204 partitions … wall ≈ 15 min at concurrency 1000"
 */
import type { JobPlan } from './types.ts';
import { estimateCost, LAMBDA_PRICES, partitionSeconds } from './costModel.ts';
import { mb } from './memoryModel.ts';

/** Lambda's limit on one invocation: a finalize past it cannot run as one function. */
const LAMBDA_TIMEOUT_SECONDS = 900;

export interface ScalePlan {
  tiles: string[];
  partitions: number;
  peakMb: { max: number; median: number };
  partitionSeconds: number;
  longestPartitionSeconds: number;
  mergeSeconds: number;
  gbSeconds: number;
  computeUsd: number;
  requestsUsd: number;
  concurrency: number;
  wallSeconds: number;
}

export function scalePlan(plan: JobPlan, opts: { concurrency?: number; architecture?: 'arm64' | 'x86_64'; finalizeMemoryMb?: number } = {}): ScalePlan {
  const concurrency = opts.concurrency ?? 1000;
  const architecture = opts.architecture ?? 'arm64';
  const cost = estimateCost(plan, { architecture, finalizeMemoryMb: opts.finalizeMemoryMb, concurrency });
  const longest = Math.max(0, ...plan.partitions.map((p) => partitionSeconds(plan, p)));
  const peaks = plan.partitions.map((p) => mb(p.estimatedPeakBytes)).sort((a, b) => a - b);
  const waves = Math.max(cost.partitionSeconds / Math.min(concurrency, Math.max(1, plan.partitions.length)), longest);
  return {
    tiles: [...new Set(plan.partitions.map((p) => p.tile).filter((t): t is string => !!t))],
    partitions: plan.partitions.length,
    peakMb: { max: peaks[peaks.length - 1] ?? 0, median: peaks[Math.floor(peaks.length / 2)] ?? 0 },
    partitionSeconds: cost.partitionSeconds, longestPartitionSeconds: longest, mergeSeconds: cost.mergeSeconds, gbSeconds: cost.gbSeconds,
    computeUsd: cost.computeUsd, requestsUsd: cost.requestsUsd, concurrency,
    wallSeconds: waves + cost.mergeSeconds,
  };
}

export function formatScale(s: ScalePlan): string {
  const n = (v: number) => Math.round(v).toLocaleString('en-US');
  const t = (sec: number) => (sec < 120 ? `${sec.toFixed(0)} s` : sec < 7200 ? `${(sec / 60).toFixed(1)} min` : `${(sec / 3600).toFixed(1)} h`);
  const lines = [
    `scale: ${s.tiles.length ? `${s.tiles.length} tiles (${s.tiles.length > 8 ? `${s.tiles.slice(0, 4).join(' ')} … ${s.tiles.slice(-2).join(' ')}` : s.tiles.join(' ')}), ` : ''}` +
      `${n(s.partitions)} partitions; est. peak per partition: median ${s.peakMb.median} MB, max ${s.peakMb.max} MB`,
    `work: partitions ${t(s.partitionSeconds)} of one vCPU (longest ${t(s.longestPartitionSeconds)}), finalize ${t(s.mergeSeconds)}; ${n(s.gbSeconds)} GB-s ≈ $${s.computeUsd.toFixed(2)} compute + $${s.requestsUsd.toFixed(2)} requests (${LAMBDA_PRICES.region}, ${LAMBDA_PRICES.date})`,
    `wall time at concurrency ${s.concurrency}: ≈ ${t(s.wallSeconds)} (partitions ${t(s.wallSeconds - s.mergeSeconds)}, then finalize ${t(s.mergeSeconds)})`,
  ];
  if (s.mergeSeconds > LAMBDA_TIMEOUT_SECONDS) lines.push(`warning: the finalize (${t(s.mergeSeconds)}) exceeds Lambda's ${LAMBDA_TIMEOUT_SECONDS / 60} min limit: run it on a DIAS/OpenFaaS function or split the job by tiles`);
  return lines.join('\n') + '\n';
}
