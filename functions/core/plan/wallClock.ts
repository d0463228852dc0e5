/**
 * How long jobs take on a cluster that runs at most `partitions` partitions and `merges` merges at once:
 * partitions start in plan order, each on the slot that frees first; a job's merge is ready when its last
 * partition ends and takes the first free merge slot. With one slot this is what a queue that delivers one
 * message at a time gives (OpenFaaS CE's NATS Streaming queue-worker).
 *
 * @example
 * wallClockSeconds([{ partitionSeconds: [60, 60, 60], mergeSeconds: 10 }], { partitions: 2, merges: 1 }); // 130
 */

export interface JobTimes { partitionSeconds: number[]; mergeSeconds: number }

export function wallClockSeconds(jobs: JobTimes[], slots: { partitions: number; merges: number }): number {
  if (slots.partitions < 1 || slots.merges < 1) throw new Error('slots must be at least 1');
  const free = new Array<number>(slots.partitions).fill(0);
  const ready = jobs.map((job) => {
    let end = 0;
    for (const s of job.partitionSeconds) {
      const i = free.indexOf(Math.min(...free));
      free[i] += s;
      end = Math.max(end, free[i]);
    }
    return { at: end, merge: job.mergeSeconds };
  }).sort((a, b) => a.at - b.at);
  const mergeFree = new Array<number>(slots.merges).fill(0);
  let done = 0;
  for (const job of ready) {
    const i = mergeFree.indexOf(Math.min(...mergeFree));
    mergeFree[i] = Math.max(mergeFree[i], job.at) + job.merge;
    done = Math.max(done, mergeFree[i]);
  }
  return done;
}
