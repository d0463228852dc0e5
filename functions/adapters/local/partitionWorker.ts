/**
 * Worker-thread entry: runs the partitions the pool hands it, one at a time. Errors travel back as
 * plain messages with `permanent` set (structured cloning drops an error's class, so its kind is sent
 * explicitly): bad input fails the same way every time and is not retried.
 */
import { parentPort } from 'node:worker_threads';
import { runPartition } from '../../core/engine/index.ts';
import { registerLocalStorages } from './registerLocalStorages.ts';
import { describeFailure } from '../../core/errors.ts';

registerLocalStorages();

parentPort!.on('message', async (task: { prepared: any; partition: any }) => {
  try {
    const result = await runPartition(task.prepared, task.partition);
    parentPort!.postMessage({ ok: true, ...result });
  } catch (e) {
    parentPort!.postMessage({ ok: false, ...describeFailure(e) });
  }
});
