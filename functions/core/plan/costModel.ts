/**
 * What a job costs on AWS Lambda, from its plan: GB-seconds = Σ partitions (memory GB × estimated seconds)
 * + the merge, priced per GB-second, plus the small request costs (Lambda invocations, SQS messages, S3
 * PUT/GET, DynamoDB writes). Seconds come from a throughput per op: input pixel-samples (output pixels ×
 * items) per second of one Lambda vCPU-equivalent.
 *
 * Throughput, measured on the development machine (`eofn run sample-data/jobs/ndvi-demo.json --workers 1`,
 * 5 dates × 256×256 px, local COGs): 1.8 M item-pixels/s for one 256×256 partition including the opening
 * of 15 COGs, 2.3 M/s for 128×64 partitions with warm headers; merge + COG + preview: 65,536 px in 0.21 s.
 * Reading from S3 adds request latency per COG tile, hence the lower figures below and a fixed overhead
 * per invocation.
 *
 * @example
 * const cost = estimateCost(plan, { architecture: 'arm64' });
 * cost.totalUsd; // e.g. 0.0004
 */
import type { JobPlan } from '../engine/planJob.ts';
import type { PartitionSpec } from '../ops/types.ts';

/** Lambda price per GB-second and per request, eu-central-1 list prices (checked 2025-01; verify before quoting). */
export const LAMBDA_PRICES = {
  date: '2025-01',
  region: 'eu-central-1',
  arm64: 0.0000133334,
  x86_64: 0.0000166667,
  perRequest: 0.2 / 1e6,
} as const;

/** Request prices, eu-central-1 (same date): SQS standard, S3 Standard PUT and GET, DynamoDB on-demand writes. */
export const REQUEST_PRICES = { sqs: 0.4 / 1e6, s3Put: 0.0054 / 1e3, s3Get: 0.00043 / 1e3, dynamoWrite: 1.525 / 1e6 } as const;

/** Input pixel-samples per second per op (see the measurement above); unknown ops use the default. */
export const THROUGHPUT: Record<string, number> = { 'tile-reduce': 1.5e6, default: 1e6 };
export const MERGE_PIXELS_PER_SECOND = 250_000;
/** Per-invocation overhead: reading COG headers and the prepared job from S3, writing the part. */
export const INVOCATION_OVERHEAD_SECONDS = 0.3;
export const FINALIZE_MEMORY_MB = 3008;

export interface CostEstimate {
  architecture: 'arm64' | 'x86_64';
  gbSeconds: number;
  partitionSeconds: number;
  mergeSeconds: number;
  computeUsd: number;
  requestsUsd: number;
  totalUsd: number;
}

/**
 * Partitions that say what they compute (`PartitionSpec.work`, parcel-aggregate) are timed by what was
 * measured for that work (docs/scale.md, `npm run bench -- parcels-national`): DECODE_PIXELS_PER_SECOND
 * input samples, PARCEL_SECONDS per parcel read and rasterised, RECORD_SECONDS per row of statistics; rows
 * are written at MERGE_ROWS_PER_SECOND by the merge, or by the partitions themselves in a multi-tile job
 * (partitions with a `tile` write their own files of the dataset).
 */
export const DECODE_PIXELS_PER_SECOND = 114e6;
export const PARCEL_SECONDS = 29e-6;
export const RECORD_SECONDS = 47e-6;
export const MERGE_ROWS_PER_SECOND = 80_000;

/** Estimated seconds of one partition on one vCPU. */
export function partitionSeconds(plan: JobPlan, p: PartitionSpec): number {
  if (p.work) {
    const rows = p.tile ? (p.work.records ?? 0) / MERGE_ROWS_PER_SECOND : 0;
    return INVOCATION_OVERHEAD_SECONDS + p.work.inputPixels / DECODE_PIXELS_PER_SECOND + (p.work.parcels ?? 0) * PARCEL_SECONDS + (p.work.records ?? 0) * RECORD_SECONDS + rows;
  }
  const px = p.window ? p.window.width * p.window.height : 0;
  return INVOCATION_OVERHEAD_SECONDS + (px * (Number(plan.model.items ?? 1) || 1)) / (THROUGHPUT[plan.op] ?? THROUGHPUT.default);
}

/** Estimated seconds of the merge (one function). */
export function mergeSeconds(plan: JobPlan): number {
  let rows = 0, pixels = 0;
  let table = false;
  for (const p of plan.partitions) {
    table ||= !!p.work?.records;
    if (!p.tile) rows += p.work?.records ?? 0;
    pixels += p.window ? p.window.width * p.window.height : 0;
  }
  return INVOCATION_OVERHEAD_SECONDS + (table ? rows / MERGE_ROWS_PER_SECOND : pixels / MERGE_PIXELS_PER_SECOND);
}

export function estimateCost(plan: JobPlan, opts: { architecture?: 'arm64' | 'x86_64'; finalizeMemoryMb?: number } = {}): CostEstimate {
  const architecture = opts.architecture ?? 'arm64';
  const items = Number(plan.model.items ?? 1) || 1;
  let partitionSecondsSum = 0;
  for (const p of plan.partitions) partitionSecondsSum += partitionSeconds(plan, p);
  const partitionSeconds_ = partitionSecondsSum;
  const mergeSeconds_ = mergeSeconds(plan);
  const gbSeconds = (plan.memoryMb / 1024) * partitionSeconds_ + ((opts.finalizeMemoryMb ?? FINALIZE_MEMORY_MB) / 1024) * mergeSeconds_;
  const n = plan.partitions.length;
  // Per partition: 3 SQS requests (send, receive, delete), 1 PUT and ~3 GETs + header reads per item, 4 DynamoDB writes.
  const requestsUsd = (n + 2) * LAMBDA_PRICES.perRequest + (3 * n + 6) * REQUEST_PRICES.sqs
    + (n + 5) * REQUEST_PRICES.s3Put + n * (2 + 3 * items) * REQUEST_PRICES.s3Get + (4 * n + 4) * REQUEST_PRICES.dynamoWrite;
  const computeUsd = gbSeconds * LAMBDA_PRICES[architecture];
  return { architecture, gbSeconds, partitionSeconds: partitionSeconds_, mergeSeconds: mergeSeconds_, computeUsd, requestsUsd, totalUsd: computeUsd + requestsUsd };
}

/** One line for `eofn plan`. */
export function formatCost(c: CostEstimate): string {
  const usd = (v: number) => `$${v < 0.01 ? v.toPrecision(2) : v.toFixed(2)}`;
  return `estimated AWS Lambda cost (${c.architecture}, ${LAMBDA_PRICES.region} prices of ${LAMBDA_PRICES.date}): `
    + `${c.gbSeconds.toFixed(1)} GB-s ≈ ${usd(c.computeUsd)} + requests ${usd(c.requestsUsd)} = ${usd(c.totalUsd)}`;
}
