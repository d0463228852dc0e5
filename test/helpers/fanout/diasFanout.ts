/**
 * The fan-out proof on the DIAS path: the jobs, op (the inputs' `op`), finalize and reconcile functions as HTTP
 * servers behind the fake OpenFaaS gateway (async calls, the queue-worker delivering `maxInflight` at a time,
 * every partition call delivered twice), state in the real PostgreSQL, S3 on fauxqs. The reconciler runs
 * as its cron would (here every `reconcileMs`) and sends failed partitions again; a job that ends FAILED
 * (its broken partitions dead-lettered) is fixed and redriven as `eofn redrive --backend dias` does.
 *
 * @example
 * const report = await runDiasFanout(inputs, { lanes: 8, rate: 0.01, broken: 3 });
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { dispatchAll, gatewayDispatcher } from '../../../functions/adapters/openfaas/dispatcher.ts';
import { S3Storage } from '../../../functions/adapters/shared/s3Storage.ts';
import { forgetIndexedParcelFiles } from '../../../functions/core/ops/parcel-aggregate/indexParcelFile.ts';
import { startDiasHarness } from '../../integration/openfaas/helpers/diasHarness.ts';
import { watchStorageWrites } from '../watchStorageWrites.ts';
import { failureInjector } from './failureInjector.ts';
import type { FanoutInputs } from './fanoutInputs.ts';
import { heapSampler, type FanoutOptions } from './awsFanout.ts';
import type { FanoutReport } from './fanoutReport.ts';
import { readProducts } from './readProducts.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runDiasFanout(inputs: FanoutInputs, opts: FanoutOptions & { reconcileMs?: number } = {}): Promise<FanoutReport> {
  const faults = failureInjector({ rate: opts.rate ?? 0.01, broken: opts.broken ?? 3 });
  const dias = await startDiasHarness('fanout', ['jobs', inputs.op, 'finalize', 'reconcile'], {
    EOFN_MIN_PARTITIONS: String(inputs.partitions), EOFN_MAX_PARTITIONS: String(Math.max(inputs.partitions, 10_000)),
    // Leases long enough for a loaded machine: an expired lease is a (harmless) extra delivery, not a failure.
    EOFN_LEASE_SECONDS: '1800', EOFN_DISPATCH_TIMEOUT_SECONDS: '3600', EOFN_MAX_ATTEMPTS: '3',
    ...(opts.planFanOutTiles !== undefined ? { EOFN_PLAN_FAN_OUT_TILES: String(opts.planFanOutTiles) } : {}),
  }, {}, { gateway: { maxInflight: opts.lanes ?? 8 }, runPartition: faults.run, quiet: true });
  try {
    if (opts.watchWrites) watchStorageWrites('s3://results/', opts.watchWrites);
    for (const file of inputs.files) await dias.put('eodata', `fan/${file}`, await readFile(join(inputs.dir, file)));
    const jobId = 'fanout-dias';
    const job = inputs.job('s3://eodata/fan', `s3://results/${jobId}`, jobId);
    let messagesSent = 0;
    let planTiles = 0;
    dias.gateway.intercept((fn, body) => {
      // Told at delivery: a call (and its duplicate, delivered with it) starts as a process of its own would.
      if (opts.freshJobsProcess && fn === 'eofn-jobs') forgetIndexedParcelFiles();
      // Planning fanned out: every plan-tile call is delivered twice too.
      if (body?.kind === 'plan-tile') {
        planTiles += 2;
        return 'duplicate';
      }
      if (body?.kind !== 'partition') return 'deliver';
      messagesSent += opts.fanOutOnly ? 1 : 2;
      return opts.fanOutOnly ? 'drop' : 'duplicate';
    });
    const dispatcher = gatewayDispatcher({ gatewayUrl: dias.gateway.url, functionPrefix: 'eofn-', callToken: dias.token });
    const deadline = Date.now() + (opts.deadlineMs ?? 30 * 60_000);
    const finishes: string[] = [];

    /** Runs the reconciler on its schedule until the job is final and no call is in flight; returns its status. */
    async function runUntilSettled(onRunning?: () => void): Promise<string> {
      let lastReconcile = Date.now();
      let lastLog = 0;
      for (;;) {
        if (Date.now() > deadline) throw new Error(`fan-out did not settle in time (job ${jobId}: ${JSON.stringify(await dias.store.progress(jobId))})`);
        const p = await dias.store.progress(jobId);
        // Every jobs call answered (the job's, and its plan-tile calls): planned, recorded and every partition call handed to the gateway.
        const jobsCalls = dias.gateway.calls.filter((c) => c.fn === 'eofn-jobs');
        if (jobsCalls.length && jobsCalls.every((c) => c.status !== undefined) && p && p.tilesPlanned >= p.tiles) {
          onRunning?.();
          if (opts.fanOutOnly) return 'FANNED_OUT';
        }
        if (opts.log && Date.now() - lastLog > 5000) {
          lastLog = Date.now();
          opts.log(`dias ${jobId}: ${p?.status} done ${p?.done}/${p?.total} dead ${p?.dead} finalize ${p?.finalizeState}; ${dias.gateway.calls.length} calls`);
        }
        const settled = p?.status === 'FAILED' || (p?.status === 'SUCCEEDED' && p.finalizeState === 'DONE');
        if (settled) {
          await dias.gateway.idle();
          return (await dias.store.progress(jobId))!.status;
        }
        if (Date.now() - lastReconcile > (opts.reconcileMs ?? 5000)) {
          await fetch(`${dias.gateway.url}/function/eofn-reconcile`, { method: 'POST', headers: dias.headers }).then((r) => r.arrayBuffer());
          lastReconcile = Date.now();
        }
        await sleep(200);
      }
    }

    const heap = opts.sampleHeap ? heapSampler() : undefined;
    const started = performance.now();
    let fanOutSeconds = 0;
    const accepted = await fetch(`${dias.gateway.url}/async-function/eofn-jobs`, { method: 'POST', headers: dias.headers, body: JSON.stringify({ kind: 'job', job }) });
    if (accepted.status !== 202) throw new Error(`the gateway refused the job: HTTP ${accepted.status}`);
    let status = await runUntilSettled(() => { fanOutSeconds ||= (performance.now() - started) / 1000; });
    const peakHeapMb = heap?.stop();
    finishes.push(status);
    if (status === 'FAILED') {
      faults.fix();
      const messages = await dias.store.redrive(jobId);
      const errors = await dispatchAll(dispatcher, messages);
      if (errors.length) throw new Error(`redrive: ${errors[0]}`);
      status = await runUntilSettled();
      finishes.push(status);
    }
    const wallSeconds = (performance.now() - started) / 1000;

    const progress = (await dias.store.progress(jobId))!;
    const runs = [...faults.completed.values()];
    const products = status === 'SUCCEEDED' ? await readProducts(new S3Storage(dias.s3), `s3://results/${jobId}`, inputs.products) : {};
    const merges = dias.gateway.calls.filter((c) => c.fn === 'eofn-finalize' && c.status === 200 && c.response?.assets).length;
    return {
      path: 'dias', partitions: progress.total, wallSeconds, fanOutSeconds, messagesSent, deliveries: dias.gateway.calls.length, planTiles,
      ...(peakHeapMb !== undefined ? { peakHeapMb } : {}),
      completedOnce: runs.filter((n) => n === 1).length, maxCompletedRuns: Math.max(0, ...runs), merges,
      injected: faults.injected, flaky: faults.flaky.size, broken: faults.broken.size, finishes,
      done: progress.done, failed: progress.dead, status,
      products,
    };
  } finally {
    await dias.close();
  }
}
