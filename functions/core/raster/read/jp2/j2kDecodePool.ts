/**
 * Spreads JPEG 2000 tile decodes over worker threads: OpenJPEG in WebAssembly runs on one thread, so a
 * full-band read on the main thread would use one core. Inside a worker thread (eofn's partition workers,
 * which already fill the cores) and in bundles without the worker file, tiles decode in the calling thread.
 * Workers start on the first decode and are unref'd while idle, so they never keep a process alive.
 *
 * @example
 * const tile = await decodeTile(stream, 0, { width: 1024, height: 1024 });
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { isMainThread, Worker } from 'node:worker_threads';
import { decodeJ2kTile, type DecodedTile } from './decodeJ2kTile.ts';

interface PoolWorker { worker: Worker; pending: number }
type Waiter = { resolve: (t: DecodedTile) => void; reject: (e: Error) => void; owner: PoolWorker };

const WORKER_URL = new URL('./j2kDecodeWorker.ts', import.meta.url);
let pool: PoolWorker[] | undefined;
const waiters = new Map<number, Waiter>();
let nextId = 0;

/** Threads decoding at once: one per core on the main thread, else this thread alone. */
export function decodeThreads(): number {
  return usePool() ? availableParallelism() : 1;
}

export function decodeTile(codestream: Uint8Array, reduce: number, size: { width: number; height: number }): Promise<DecodedTile> {
  if (!usePool()) return decodeJ2kTile(codestream, reduce, size);
  const owner = workers().reduce((a, b) => (b.pending < a.pending ? b : a));
  const id = nextId++;
  if (owner.pending++ === 0) owner.worker.ref();
  return new Promise<DecodedTile>((resolve, reject) => {
    waiters.set(id, { resolve, reject, owner });
    owner.worker.postMessage({ id, codestream, reduce, size }, [codestream.buffer as ArrayBuffer]);
  });
}

function usePool(): boolean {
  return isMainThread && availableParallelism() > 1 && existsSync(fileURLToPath(WORKER_URL));
}

function workers(): PoolWorker[] {
  pool ??= Array.from({ length: availableParallelism() }, () => spawn());
  return pool;
}

function spawn(): PoolWorker {
  const entry: PoolWorker = { worker: new Worker(WORKER_URL), pending: 0 };
  entry.worker.unref();
  entry.worker.on('message', (m: { id: number; tile?: DecodedTile; error?: string }) => {
    const w = waiters.get(m.id);
    if (!w) return;
    waiters.delete(m.id);
    if (--entry.pending === 0) entry.worker.unref();
    if (m.tile) w.resolve(m.tile);
    else w.reject(new Error(m.error));
  });
  // A worker that dies fails what it held and is replaced, so one crash cannot shrink the pool.
  entry.worker.on('error', (e) => retire(entry, e));
  entry.worker.on('exit', (code) => retire(entry, new Error(`JPEG 2000 decode worker exited with code ${code}`)));
  return entry;
}

function retire(entry: PoolWorker, error: Error): void {
  if (!pool?.includes(entry)) return;
  pool[pool.indexOf(entry)] = spawn();
  for (const [id, w] of waiters) {
    if (w.owner === entry) { waiters.delete(id); w.reject(error); }
  }
}
