/**
 * Peak RSS of the merge (finalize) step alone: the NDVI job of `bench/ndvi.ts` is prepared, planned at
 * `--memory 1024` and its partitions run in this process; then a fresh process prepares the same job and
 * runs only `finalizeJob`, and reports its peak resident set.
 *
 * Run alone: `npx node bench/finalizePeak.ts` (after `bench/ndvi.ts` has built the inputs).
 *
 * @example
 * const { peakRssMb, seconds } = await benchFinalizePeak();
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareJob, planJob, runPartition, finalizeJob, readJobFile } from '../functions/core/engine/index.ts';
import { registerCoreStorages } from '../functions/core/io/registerCoreStorages.ts';
import { BENCH_DIR, ROOT } from './benchInputs.ts';

const JOB = join(BENCH_DIR, 'ndvi-job.json');
const OUT = join(BENCH_DIR, 'finalize-out');

async function prepared() {
  registerCoreStorages();
  const { raw, base } = await readJobFile(JOB);
  const p = await prepareJob({ ...(raw as object), output: OUT }, base);
  return { prepared: p, plan: planJob(p, { memoryMb: 1024 }) };
}

export async function benchFinalizePeak(): Promise<{ peakRssMb: number; seconds: number; partitions: number }> {
  rmSync(OUT, { recursive: true, force: true });
  const { prepared: p, plan } = await prepared();
  for (const part of plan.partitions) await runPartition(p, part);
  const run = spawnSync(join(ROOT, 'node_modules/.bin/node'), ['--import', join(ROOT, 'bench/reportPeakRss.ts'), fileURLToPath(import.meta.url), '--finalize-only'], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`finalize failed: ${run.stderr}`);
  const peakRssMb = Number(/EOFN_PEAK_RSS_MB=(\d+)/.exec(run.stderr)?.[1] ?? 0);
  const seconds = Number(/FINALIZE_SECONDS=([\d.]+)/.exec(run.stdout)?.[1] ?? 0);
  console.log(`ndvi finalize alone (${plan.partitions.length} partitions at --memory 1024): ${seconds.toFixed(2)} s, peak RSS ${peakRssMb} MB (model ${Math.round(plan.mergePeakBytes / 2 ** 20)} MB)`);
  return { peakRssMb, seconds, partitions: plan.partitions.length };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--finalize-only')) {
    const { prepared: p, plan } = await prepared();
    const start = performance.now();
    await finalizeJob(p, plan);
    console.log(`FINALIZE_SECONDS=${((performance.now() - start) / 1000).toFixed(2)}`);
  } else {
    await benchFinalizePeak();
  }
}
