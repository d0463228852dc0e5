/**
 * How long jobs take on each edition, from their plans: partition and merge seconds from the cost model's
 * throughput (one vCPU per op pod), scheduled on the slots each way of running allows. CE through its queue
 * runs one call at a time (NATS Streaming queue-worker, `maxInflight` 1) for partitions and merges alike;
 * CE with eofn's direct dispatch runs up to 5 partitions (its replica limit) and 4 merges (the finalize
 * replicas); Standard runs as many partitions as the provider profile's replicas and 4 merges.
 *
 * The Denmark example is a season of NDVI medians over Denmark: the 28 real Sentinel-2 tiles (10980 x 10980 px
 * at 10 m, UTM 32N and 33N) that `scripts/scale/make_country.py` finds over Denmark's land (the same tiles as
 * the parcel plan of docs/scale.md), 12 dates each, cloud mask, one job per tile, planned by tile-reduce's own
 * planner at the op's memory (what `eofn plan` gives for those items: 11 partitions per tile, docs/dias.md).
 *
 * @example
 * editionEstimates(denmarkExample(), provider).map((e) => `${e.label}: ${formatDuration(e.seconds)}`);
 */
import type { JobPlan } from '../../functions/core/engine/planJob.ts';
import { operationOf } from '../../functions/core/ops/registry.ts';
import { mergeSecondsOf, partitionSecondsOf } from '../../functions/core/plan/costModel.ts';
import { budgetBytes } from '../../functions/core/plan/memoryModel.ts';
import { opMemoryMb } from '../../functions/core/ops/descriptors.ts';
import { wallClockSeconds } from '../../functions/core/plan/wallClock.ts';
import { EDITIONS } from './editions.ts';
import { FINALIZE_REPLICAS } from './renderStack.ts';
import type { Provider } from './providers.ts';

export type PlanForEstimate = Pick<JobPlan, 'op' | 'partitions' | 'model'>;

export interface EditionEstimate { label: string; partitionSlots: number; mergeSlots: number; seconds: number }

export function editionEstimates(plans: PlanForEstimate[], provider: Provider): EditionEstimate[] {
  const jobs = plans.map((plan) => ({ partitionSeconds: partitionSecondsOf(plan), mergeSeconds: mergeSecondsOf(plan) }));
  const ce = Math.min(provider.maxReplicas, EDITIONS.ce.maxReplicas);
  const ways = [
    { label: 'CE through its queue (one call at a time)', partitionSlots: 1, mergeSlots: 1 },
    { label: 'CE, direct dispatch', partitionSlots: ce, mergeSlots: Math.min(ce, FINALIZE_REPLICAS) },
    { label: 'Standard', partitionSlots: Math.min(provider.maxReplicas, EDITIONS.standard.maxReplicas), mergeSlots: Math.min(provider.maxReplicas, FINALIZE_REPLICAS) },
  ];
  return ways.map((w) => ({
    ...w,
    // One queue delivering one call at a time carries partitions and merges alike: nothing overlaps.
    seconds: w.partitionSlots === 1 && w.mergeSlots === 1
      ? jobs.reduce((s, j) => s + j.mergeSeconds + j.partitionSeconds.reduce((a, b) => a + b, 0), 0)
      : wallClockSeconds(jobs, { partitions: w.partitionSlots, merges: w.mergeSlots }),
  }));
}

export const DENMARK_TILES = 28;

/** The plans of the Denmark example (see above), made by tile-reduce's planner. */
export function denmarkExample(): PlanForEstimate[] {
  const setup = {
    grid: { crs: 'EPSG:32632', width: 10980, height: 10980, originX: 0, originY: 0, pixelWidth: 10, pixelHeight: -10 },
    expression: '(nir - red) / (nir + red)', inputs: ['nir', 'red'], reducer: 'median',
    mask: { asset: 'scl', exclude: [3, 8, 9, 10] }, items: new Array(12).fill({}), blockSize: 1024,
  };
  const plan = operationOf('tile-reduce').plan(setup as never, { budgetBytes: budgetBytes(opMemoryMb('tile-reduce')) });
  return Array.from({ length: DENMARK_TILES }, () => ({ op: 'tile-reduce', partitions: plan.partitions, model: plan.model }));
}

export function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** Lines for the deploy script: what the plans need on each way of running. */
export function formatEstimates(plans: PlanForEstimate[], provider: Provider): string[] {
  const partitions = plans.reduce((n, p) => n + p.partitions.length, 0);
  const cpu = plans.reduce((s, p) => s + partitionSecondsOf(p).reduce((a, b) => a + b, 0), 0);
  return [
    `${plans.length} job(s), ${partitions} partition(s), about ${formatDuration(cpu)} of partition time on one vCPU`,
    ...editionEstimates(plans, provider).map((e) => `${e.label}: ${e.partitionSlots} partition(s) and ${e.mergeSlots} merge(s) at once -> about ${formatDuration(e.seconds)}`),
  ];
}
