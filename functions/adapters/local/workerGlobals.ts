/**
 * Imported first by the partition worker. geotiff.js pulls in the `web-worker` package, which, loaded
 * inside any worker thread, assumes the thread is its own and crashes reading `workerData.mod`. It only
 * does so when no global `Worker` exists, so one is defined here; eofn never uses geotiff.js worker pools
 * (it decodes blocks itself), and the stub says so if anything ever tries.
 */
const g = globalThis as { Worker?: unknown };
if (typeof g.Worker !== 'function') {
  g.Worker = class {
    constructor() {
      throw new Error('web workers are not available inside eofn partition workers');
    }
  };
}
