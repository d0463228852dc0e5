/**
 * Worker-thread entry: runs the partitions the pool hands it, one at a time. Errors travel back as
 * messages with whether a retry could help (bad input will fail the same way every time).
 */
import { parentPort } from 'node:worker_threads';
import { runPartition } from '../../core/engine/index.ts';
import { registerLocalStorages } from './registerLocalStorages.ts';
import { describeFailure } from './describeFailure.ts';

registerLocalStorages();

parentPort!.on('message', async (task: { prepared: any; partition: any }) => {
  try {
    const result = await runPartition(task.prepared, task.partition);
    parentPort!.postMessage({ ok: true, ...result });
  } catch (e) {
    parentPort!.postMessage({ ok: false, ...describeFailure(e) });
  }
});
