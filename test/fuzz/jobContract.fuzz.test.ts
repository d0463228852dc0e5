/**
 * Property tests of the job contract (issue 10): whatever JSON a caller sends, validation answers with the
 * job or an InvalidJobError listing problems, never another error and never slowly; whatever grid a job
 * asks for, the planner refuses it with an InputError or returns windows that tile it exactly, never more
 * than the partition ceiling, and decides before building anything (fast for any size).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError, InvalidJobError } from '../../functions/core/errors.ts';
import { validateJob } from '../../functions/core/contract/validateJob.ts';
import { planWindows } from '../../functions/core/plan/planWindows.ts';
import { DEFAULT_JOB_LIMITS } from '../../functions/core/plan/jobLimits.ts';
import { finalizeFromMessage, partitionFromMessage } from '../../functions/adapters/lambda/parseMessage.ts';
import { CASE_BUDGET_MS, corpus, fuzzParameters, single } from './fuzzSettings.ts';

const validJob = { op: 'tile-reduce', items: ['x.json'], params: { expression: 'nir', reducer: 'mean' }, output: 'out' };

/** A valid job with some fields replaced by arbitrary JSON: most cases get deep into validation. */
const mutatedJob = fc.record({
  op: fc.oneof(fc.constantFrom('tile-reduce', 'composite', 'coherence-merge', 'parcel-aggregate', '__proto__'), fc.jsonValue()),
  items: fc.oneof(fc.constant(validJob.items), fc.array(fc.oneof(fc.string(), fc.jsonValue()), { maxLength: 4 })),
  params: fc.oneof(fc.constant(validJob.params), fc.dictionary(fc.constantFrom('expression', 'reducer', 'grid', 'mask', 'parcels', 'assets', 'method'), fc.jsonValue())),
  output: fc.oneof(fc.constant('out'), fc.jsonValue()),
  id: fc.option(fc.oneof(fc.string(), fc.jsonValue()), { nil: undefined }),
}, { requiredKeys: [] });

describe('job contract (property)', () => {
  it('answers any JSON with a valid job or InvalidJobError, quickly', () => {
    fc.assert(fc.property(fc.oneof(fc.jsonValue(), mutatedJob), (raw) => {
      const started = performance.now();
      try {
        const job = validateJob(raw);
        expect(typeof job.id).toBe('string');
      } catch (e) {
        expect(e).toBeInstanceOf(InvalidJobError);
        expect((e as InvalidJobError).problems.length).toBeGreaterThan(0);
      }
      expect(performance.now() - started).toBeLessThan(CASE_BUDGET_MS);
    }), fuzzParameters(single(corpus<unknown>('jobs.json'))));
  });

  it('plans any grid into windows that tile it exactly within the ceiling, or refuses it before building them', () => {
    const grid = fc.record({
      width: fc.oneof(fc.integer({ min: 1, max: 50_000 }), fc.double({ min: 1, max: 1e16, noNaN: true }).map(Math.round)),
      height: fc.oneof(fc.integer({ min: 1, max: 50_000 }), fc.double({ min: 1, max: 1e16, noNaN: true }).map(Math.round)),
      block: fc.constantFrom(16, 256, 512, 1024, 4096),
    });
    fc.assert(fc.property(grid, fc.integer({ min: 161, max: 10_240 }), ({ width, height, block }, memoryMb) => {
      const started = performance.now();
      const g = { crs: 'EPSG:32633', width, height, originX: 0, originY: 0, resX: 10, resY: 10 };
      try {
        const windows = planWindows(g, { bytesPerPixel: 44, budgetBytes: memoryMb * 2 ** 20, blockSize: block });
        expect(windows.length).toBeLessThanOrEqual(DEFAULT_JOB_LIMITS.maxPartitions);
        expect(windows.reduce((n, w) => n + w.window!.width * w.window!.height, 0)).toBe(width * height);
      } catch (e) {
        expect(e).toBeInstanceOf(InputError);
      }
      expect(performance.now() - started).toBeLessThan(CASE_BUDGET_MS);
    }), fuzzParameters(corpus<{ width: number; height: number; block: number }>('grids.json').map((c) => [c, 1769])));
  });

  it('reads a partition or finalize message as names only, whatever else a sender puts in it', () => {
    const message = fc.record({
      kind: fc.constantFrom('partition', 'finalize', 'job'),
      jobId: fc.oneof(fc.string(), fc.jsonValue()),
      op: fc.oneof(fc.string(), fc.jsonValue()),
      partition: fc.oneof(fc.record({ id: fc.oneof(fc.string(), fc.jsonValue()), window: fc.jsonValue() }), fc.jsonValue()),
      preparedRef: fc.string(), outputHref: fc.string(),
    }, { requiredKeys: [] });
    fc.assert(fc.property(fc.oneof(message.map((m) => JSON.stringify(m)), fc.string()), (body) => {
      for (const read of [partitionFromMessage, finalizeFromMessage]) {
        try {
          const m = read(body) as unknown as Record<string, unknown>;
          expect(Object.keys(m).every((k) => ['kind', 'jobId', 'op', 'partition'].includes(k))).toBe(true);
          expect(typeof m.jobId).toBe('string');
          if (m.partition) expect(Object.keys(m.partition as object)).toEqual(['id']);
        } catch (e) {
          expect(e).toBeInstanceOf(InputError);
        }
      }
    }), fuzzParameters());
  });
});
