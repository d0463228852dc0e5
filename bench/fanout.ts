/**
 * `npm run bench -- fanout` (or `npm run bench:fanout`): a job of ≥ 20,000 partitions through the emulated
 * AWS pipeline (fauxqs SQS/S3, dynalite) and the DIAS path (fake OpenFaaS gateway, real PostgreSQL), with
 * every partition message delivered twice and 1 % of the partitions failing (retried; three of them
 * dead-lettered, then redriven). Prints wall time, messages/s and the outcome counts, and checks that the
 * product equals `eofn run`'s byte for byte. `--blocks=72 --tiles=4` (default) is 4 × 72² = 20,736 partitions;
 * `--only=aws|dias`; `--fan-out-only` (plan and send, no partition runs; prints the process's peak heap, emulators
 * included: `bench/planHeap.ts` measures the jobs stage alone); `--plan-fan-out-tiles=1` (plan-tile messages per
 * tile; default the deployment's 4); `--lanes=8` op consumers (AWS) or queue-worker deliveries in flight (DIAS).
 *
 * @example
 * npm run bench:fanout -- --blocks=50 --tiles=1 --only=aws
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runJobLocally } from '../functions/adapters/local/runJobLocally.ts';
import { registerLocalStorages } from '../functions/adapters/local/registerLocalStorages.ts';
import { makeFanoutInputs } from '../test/helpers/fanout/fanoutInputs.ts';
import { runAwsFanout } from '../test/helpers/fanout/awsFanout.ts';
import { runDiasFanout } from '../test/helpers/fanout/diasFanout.ts';
import { formatFanoutReport, type FanoutReport } from '../test/helpers/fanout/fanoutReport.ts';

export async function benchFanout(argv: string[] = []): Promise<FanoutReport[]> {
  const { values } = parseArgs({ args: argv, strict: false, options: { blocks: { type: 'string' }, tiles: { type: 'string' }, only: { type: 'string' }, lanes: { type: 'string' }, 'fan-out-only': { type: 'boolean' }, 'plan-fan-out-tiles': { type: 'string' } } });
  const blocks = Number(values.blocks ?? 72);
  const tiles = Number(values.tiles ?? 4);
  const lanes = Number(values.lanes ?? 8);
  const dir = await mkdtemp(join(tmpdir(), 'eofn-fanout-'));
  try {
    registerLocalStorages();
    const inputs = await makeFanoutInputs(dir, blocks, tiles);
    console.log(`fan-out: ${inputs.partitions.toLocaleString('en')} partitions of 16x16 px over ${tiles} tile(s) (NDVI median of 2 dates), ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, load ${loadavg()[0].toFixed(1)}`);
    await writeFile(join(dir, 'job.json'), JSON.stringify(inputs.job('.', join(dir, 'ref'), 'fanout-ref')));
    if (!values['fan-out-only']) {
      const t = performance.now();
      await runJobLocally({ jobHref: join(dir, 'job.json'), output: join(dir, 'ref'), workers: 2, quiet: true });
      console.log(`reference: eofn run (2 workers) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    }
    const reports: FanoutReport[] = [];
    const log = (line: string) => console.log(`  … ${line}`);
    for (const path of ['aws', 'dias'] as const) {
      if (values.only && values.only !== path) continue;
      const report = await (path === 'aws' ? runAwsFanout : runDiasFanout)(inputs, { lanes, rate: 0.01, broken: 3, visibilityTimeout: 10, deadlineMs: 3 * 3600_000, log, fanOutOnly: values['fan-out-only'] === true, sampleHeap: values['fan-out-only'] === true, ...(values['plan-fan-out-tiles'] ? { planFanOutTiles: Number(values['plan-fan-out-tiles']) } : {}) });
      registerLocalStorages();
      console.log(formatFanoutReport(report));
      if (values['fan-out-only']) {
        console.log(`${path}: planned and sent ${report.messagesSent.toLocaleString('en')} partition messages for ${inputs.partitions.toLocaleString('en')} partitions in ${report.fanOutSeconds.toFixed(1)} s: ${Math.round(report.messagesSent / report.fanOutSeconds).toLocaleString('en')} messages/s; peak heap of the process (emulators included) ${report.peakHeapMb} MB (load ${loadavg()[0].toFixed(1)})`);
        reports.push(report);
        continue;
      }
      let same = Object.keys(report.products).length === inputs.products.length;
      for (const key of inputs.products) same &&= Buffer.from(report.products[key] ?? []).equals(await readFile(join(dir, 'ref', key)));
      const once = report.completedOnce === report.partitions && report.maxCompletedRuns === 1;
      console.log(`  product equals eofn run's: ${same}; every partition once: ${once}; one merge: ${report.merges === 1} (load ${loadavg()[0].toFixed(1)})`);
      if (!same || !once || report.merges !== 1 || report.status !== 'SUCCEEDED') process.exitCode = 1;
      reports.push(report);
    }
    return reports;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) await benchFanout(process.argv.slice(2));
