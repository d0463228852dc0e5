/**
 * Worker-thread entry of the JPEG 2000 decode pool: decodes the tiles it is sent, one at a time, and sends
 * the samples back (their buffer transferred, not copied).
 *
 * @example
 * new Worker(new URL('./j2kDecodeWorker.ts', import.meta.url));
 */
import { parentPort } from 'node:worker_threads';
import { decodeJ2kTile } from './decodeJ2kTile.ts';

interface Task { id: number; codestream: Uint8Array; reduce: number; size: { width: number; height: number } }

parentPort!.on('message', async (task: Task) => {
  try {
    const tile = await decodeJ2kTile(task.codestream, task.reduce, task.size);
    parentPort!.postMessage({ id: task.id, tile }, [tile.data.buffer as ArrayBuffer]);
  } catch (e) {
    parentPort!.postMessage({ id: task.id, error: e instanceof Error ? e.message : String(e) });
  }
});
