/**
 * A fixed pool of worker threads for partitions. With one worker the partition runs in this thread:
 * the memory bound `--workers 1 --memory N` promises has no second V8 heap on top.
 *
 * @example
 * const pool = createPool(2);
 * const result = await pool.run(prepared, partition);
 * await pool.close();
 */
import { Worker } from 'node:worker_threads';
import { runPartition } from '../../core/engine/index.ts';
import type { PreparedJob } from '../../core/engine/index.ts';
import type { PartitionSpec } from '../../core/plan/types.ts';
import { describeFailure } from '../../core/errors.ts';

export type PartitionOutcome = { ok: true; seconds: number; bytes: number } | { ok: false; error: string; permanent: boolean };

export interface Pool {
  run(prepared: PreparedJob, partition: PartitionSpec): Promise<PartitionOutcome>;
  close(): Promise<void>;
}

export function createPool(size: number): Pool {
  return size <= 1 ? inlinePool() : threadPool(size);
}

function inlinePool(): Pool {
  // One partition at a time: the memory budget is per partition, so two interleaved would double it.
  let queue: Promise<unknown> = Promise.resolve();
  return {
    run(prepared, partition) {
      const next = queue.then(async (): Promise<PartitionOutcome> => {
        try {
          return { ok: true, ...(await runPartition(prepared, partition)) };
        } catch (e) {
          return { ok: false, ...describeFailure(e) };
        }
      });
      queue = next;
      return next;
    },
    async close() {},
  };
}

function threadPool(size: number): Pool {
  const url = new URL('./partitionWorker.ts', import.meta.url);
  const idle: Worker[] = [];
  const waiting: ((w: Worker) => void)[] = [];
  const all: Worker[] = [];
  const spawn = () => {
    const w = new Worker(url);
    w.unref();
    all.push(w);
    return w;
  };
  for (let i = 0; i < size; i++) idle.push(spawn());
  const acquire = () => new Promise<Worker>((resolve) => {
    const w = idle.pop();
    if (w) resolve(w); else waiting.push(resolve);
  });
  const release = (w: Worker) => {
    const next = waiting.shift();
    if (next) next(w); else idle.push(w);
  };
  return {
    async run(prepared, partition) {
      const worker = await acquire();
      let alive = true;
      const outcome = await new Promise<PartitionOutcome>((resolve) => {
        const onMessage = (m: PartitionOutcome) => { cleanup(); resolve(m); };
        const onError = (e: Error) => { cleanup(); alive = false; resolve({ ok: false, error: `worker crashed: ${e.message}`, permanent: false }); };
        const onExit = (code: number) => { cleanup(); alive = false; resolve({ ok: false, error: `worker exited with code ${code}`, permanent: false }); };
        const cleanup = () => { worker.off('message', onMessage); worker.off('error', onError); worker.off('exit', onExit); };
        worker.on('message', onMessage);
        worker.once('error', onError);
        worker.once('exit', onExit);
        worker.postMessage({ prepared, partition });
      });
      // A worker that crashed is replaced, so that one bad partition cannot shrink the pool.
      release(alive ? worker : spawn());
      return outcome;
    },
    async close() {
      await Promise.all(all.map((w) => w.terminate()));
    },
  };
}
