/**
 * What a job costs on AWS Lambda, from its plan: GB-seconds = Σ partitions (memory GB × estimated seconds)
 * + the merge + the billed INIT of each cold execution environment, priced per GB-second, plus the small
 * request costs (Lambda invocations, SQS messages, S3 PUT/GET, DynamoDB writes). Prices are the list prices
 * of one region (`LAMBDA_PRICES.region`), and the estimate says which. Seconds come from a throughput per op: input pixel-samples (output pixels ×
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
import type { JobPlan, PartitionSpec } from './types.ts';

/**
 * Lambda price per GB-second and per request, eu-central-1 list prices (unchanged through 2025; the INIT
 * phase is billed at the same GB-second price since 2025-08). Verify before quoting.
 */
export const LAMBDA_PRICES = {
  date: '2025-08',
  region: 'eu-central-1',
  arm64: 0.0000133334,
  x86_64: 0.0000166667,
  perRequest: 0.2 / 1e6,
} as const;

/**
 * Request prices, eu-central-1: SQS standard, S3 Standard PUT and GET (2025-01), DynamoDB on-demand writes:
 * USD 0.7625 per million write request units since AWS halved on-demand prices on 1 Nov 2024.
 */
export const REQUEST_PRICES = { sqs: 0.4 / 1e6, s3Put: 0.0054 / 1e3, s3Get: 0.00043 / 1e3, dynamoWrite: 0.7625 / 1e6 } as const;

/**
 * Since 1 Aug 2025 Lambda bills the INIT phase of on-demand functions like their invocations. Each new
 * execution environment runs INIT once (loading the esbuild bundle, creating the SDK clients). 0.6 s is an
 * assumption, not a measurement: it was not measured on Lambda here; a deployment's CloudWatch `REPORT`
 * lines (`Init Duration`) give the real figure to put in its place.
 */
export const INIT_SECONDS = 0.6;

/** Input pixel-samples per second per op (see the measurement above); unknown ops use the default. */
export const THROUGHPUT: Record<string, number> = { 'tile-reduce': 1.5e6, default: 1e6 };
export const MERGE_PIXELS_PER_SECOND = 250_000;
/** Per-invocation overhead: reading COG headers and the prepared job from S3, writing the part. */
export const INVOCATION_OVERHEAD_SECONDS = 0.3;
export const FINALIZE_MEMORY_MB = 3008;
/** The jobs function's memory in the stack (infra/providerConfig.ts default). */
export const JOBS_MEMORY_MB = 1024;

export interface CostEstimate {
  architecture: 'arm64' | 'x86_64';
  /** The region whose list prices were used. */
  region: string;
  gbSeconds: number;
  partitionSeconds: number;
  mergeSeconds: number;
  /** Billed INIT time: one cold start per execution environment (partition functions, jobs, finalize). */
  initSeconds: number;
  computeUsd: number;
  requestsUsd: number;
  totalUsd: number;
}

/**
 * Partitions that say what they compute (`PartitionSpec.work`, parcel-aggregate) are timed by what was
 * measured for that work (docs/scale.md, `npm run bench -- parcels-national`): DECODE_PIXELS_PER_SECOND
 * input samples, PARCEL_SECONDS per parcel read and rasterised, RECORD_SECONDS per row of statistics; rows
 * are written at MERGE_ROWS_PER_SECOND by the partitions themselves (each writes its own file of the dataset:
 * the merge only adds up their summaries).
 */
export const DECODE_PIXELS_PER_SECOND = 114e6;
export const PARCEL_SECONDS = 29e-6;
export const RECORD_SECONDS = 47e-6;
export const MERGE_ROWS_PER_SECOND = 80_000;

/** Estimated seconds of one partition on one vCPU. */
export function partitionSeconds(plan: JobPlan, p: PartitionSpec): number {
  if (p.work) {
    const rows = (p.work.records ?? 0) / MERGE_ROWS_PER_SECOND;
    return INVOCATION_OVERHEAD_SECONDS + p.work.inputPixels / DECODE_PIXELS_PER_SECOND + (p.work.parcels ?? 0) * PARCEL_SECONDS + (p.work.records ?? 0) * RECORD_SECONDS + rows;
  }
  const px = p.window ? p.window.width * p.window.height : 0;
  return INVOCATION_OVERHEAD_SECONDS + (px * (Number(plan.model.items ?? 1) || 1)) / (THROUGHPUT[plan.op] ?? THROUGHPUT.default);
}

/** Estimated seconds of the merge (one function). */
export function mergeSeconds(plan: JobPlan): number {
  let pixels = 0;
  let table = false;
  for (const p of plan.partitions) {
    table ||= !!p.work?.records;
    pixels += p.window ? p.window.width * p.window.height : 0;
  }
  // A table's rows are written by its partitions: the merge reads their summaries and draws the previews.
  return INVOCATION_OVERHEAD_SECONDS + (table ? 0 : pixels / MERGE_PIXELS_PER_SECOND);
}

/** Estimated seconds of each partition on one vCPU, in plan order (the same model as the cost). */
export function partitionSecondsOf(plan: Pick<JobPlan, 'op' | 'partitions' | 'model'>): number[] {
  return plan.partitions.map((p) => partitionSeconds(plan as JobPlan, p));
}

/** Estimated seconds of the merge (product, COG and preview). */
export function mergeSecondsOf(plan: Pick<JobPlan, 'partitions'>): number {
  return mergeSeconds(plan as JobPlan);
}

export interface CostOptions {
  architecture?: 'arm64' | 'x86_64';
  finalizeMemoryMb?: number;
  /** Most partition functions running at once (the op's queue concurrency); default: every partition cold. */
  concurrency?: number;
}

export function estimateCost(plan: JobPlan, opts: CostOptions = {}): CostEstimate {
  const architecture = opts.architecture ?? 'arm64';
  const items = Number(plan.model.items ?? 1) || 1;
  const partitionSeconds_ = partitionSecondsOf(plan).reduce((a, b) => a + b, 0);
  const mergeSeconds_ = mergeSeconds(plan);
  const n = plan.partitions.length;
  const finalizeGb = (opts.finalizeMemoryMb ?? FINALIZE_MEMORY_MB) / 1024;
  const environments = Math.max(1, Math.min(n, opts.concurrency ?? n));
  const initSeconds = INIT_SECONDS * (environments + 2);
  const initGbSeconds = INIT_SECONDS * (environments * (plan.memoryMb / 1024) + JOBS_MEMORY_MB / 1024 + finalizeGb);
  const gbSeconds = (plan.memoryMb / 1024) * partitionSeconds_ + finalizeGb * mergeSeconds_ + initGbSeconds;
  // Per partition: 3 SQS requests (send, receive, delete), 1 PUT and ~3 GETs + header reads per item, 4 DynamoDB writes.
  const requestsUsd = (n + 2) * LAMBDA_PRICES.perRequest + (3 * n + 6) * REQUEST_PRICES.sqs
    + (n + 5) * REQUEST_PRICES.s3Put + n * (2 + 3 * items) * REQUEST_PRICES.s3Get + (4 * n + 4) * REQUEST_PRICES.dynamoWrite;
  const computeUsd = gbSeconds * LAMBDA_PRICES[architecture];
  return { architecture, region: LAMBDA_PRICES.region, gbSeconds, partitionSeconds: partitionSeconds_, mergeSeconds: mergeSeconds_, initSeconds, computeUsd, requestsUsd, totalUsd: computeUsd + requestsUsd };
}

/** One line for `eofn plan`. */
export function formatCost(c: CostEstimate): string {
  const usd = (v: number) => `$${v < 0.01 ? v.toPrecision(2) : v.toFixed(2)}`;
  return `estimated AWS Lambda cost (${c.architecture}, list prices for region ${c.region} of ${LAMBDA_PRICES.date}): `
    + `${c.gbSeconds.toFixed(1)} GB-s incl. ${c.initSeconds.toFixed(1)} s INIT ≈ ${usd(c.computeUsd)} + requests ${usd(c.requestsUsd)} = ${usd(c.totalUsd)}`;
}
