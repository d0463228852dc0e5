/**
 * What a fan-out run reports: sizes, wall time, message rates, and the outcome checks (each partition
 * completed once, one merge, the injected failures handled).
 *
 * @example
 * console.log(formatFanoutReport(await runAwsFanout(inputs, { lanes: 8 })));
 */
export interface FanoutReport {
  path: 'aws' | 'dias';
  partitions: number;
  /** Submit to the job's final SUCCEEDED, redrive included. */
  wallSeconds: number;
  /** Submit to the last partition message sent (planning and fan-out). */
  fanOutSeconds: number;
  /** Partition messages sent (duplicates and redrive included). */
  messagesSent: number;
  /** plan-tile messages or calls sent (each twice) when planning was fanned out per tile. */
  planTiles?: number;
  /** Peak heap of the process while the job was planned and sent (`sampleHeap`). */
  peakHeapMb?: number;
  /** Deliveries handed to the functions (all queues / calls). */
  deliveries: number;
  /** Partitions with exactly one completed run, and the most runs of any partition. */
  completedOnce: number;
  maxCompletedRuns: number;
  merges: number;
  injected: number;
  flaky: number;
  broken: number;
  /** Completion statuses in order (FAILED before a redrive, then SUCCEEDED). */
  finishes: string[];
  done: number;
  failed: number;
  status: string;
  /** The products by path under the output (`FanoutInputs.products`), for the comparison with `eofn run`. */
  products: Record<string, Uint8Array>;
}

export function formatFanoutReport(r: FanoutReport): string {
  const rate = (n: number) => Math.round(n / r.wallSeconds).toLocaleString('en');
  return [
    `${r.path}: ${r.partitions.toLocaleString('en')} partitions, ${r.status} (done ${r.done}, failed ${r.failed}) in ${r.wallSeconds.toFixed(1)} s`,
    `  fan-out ${r.fanOutSeconds.toFixed(1)} s; ${r.messagesSent.toLocaleString('en')} partition messages sent, ${r.deliveries.toLocaleString('en')} deliveries: ${rate(r.deliveries)} deliveries/s, ${rate(r.partitions)} partitions/s`,
    `  completed once: ${r.completedOnce.toLocaleString('en')} (max runs of one partition ${r.maxCompletedRuns}); merges ${r.merges}; finishes ${r.finishes.join(' → ')}`,
    `  injected failures ${r.injected} over ${r.flaky} partitions (${r.broken} dead-lettered and redriven)`,
  ].join('\n');
}
