/**
 * Times `eofn run` as a user runs it (a separate process), `runs` times from a clean output folder, and
 * reads each run's peak RSS from `reportPeakRss.ts`. Returns the median time and the largest peak.
 *
 * @example
 * const { seconds, peakRssMb } = timeEofnRuns(jobPath, outDir, ['--workers', '1', '--memory', '1024'], 3);
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, median } from './benchInputs.ts';

export interface TimedRuns {
  seconds: number;
  peakRssMb: number;
  /** Median of each phase the run reports ("prepareAndPlan 0.4s, partitions 1.2s, merge 0.3s"). */
  phases: Record<string, number>;
}

export function timeEofnRuns(jobPath: string, outputDir: string, args: string[], runs: number): TimedRuns {
  const times: number[] = [];
  const phases = new Map<string, number[]>();
  let peak = 0;
  for (let i = 0; i < runs; i++) {
    rmSync(outputDir, { recursive: true, force: true });
    const start = performance.now();
    const run = spawnSync(join(ROOT, 'node_modules/.bin/node'),
      ['--import', join(ROOT, 'bench/reportPeakRss.ts'), join(ROOT, 'bin/eofn.js'), 'run', jobPath, '--quiet', '--output', outputDir, ...args],
      { encoding: 'utf8' });
    times.push((performance.now() - start) / 1000);
    if (run.status !== 0) throw new Error(`eofn run failed: ${run.stderr}`);
    peak = Math.max(peak, Number(/EOFN_PEAK_RSS_MB=(\d+)/.exec(run.stderr)?.[1] ?? 0));
    for (const [, name, s] of run.stdout.matchAll(/(\w+) ([\d.]+)s\b/g)) phases.set(name, [...(phases.get(name) ?? []), Number(s)]);
  }
  return { seconds: median(times), peakRssMb: peak, phases: Object.fromEntries([...phases].map(([k, v]) => [k, median(v)])) };
}
