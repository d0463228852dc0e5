/**
 * Wraps the engine's `runPartition` to inject failures into about `rate` of the partitions (chosen by a
 * hash of the id, so the same ones on every run): each fails its first attempt and is retried; the first
 * `broken` of them fail on every attempt until `fix()`, so they are dead-lettered and need a redrive. It
 * counts the runs that completed per partition: exactly once in effect means one completed run each.
 *
 * @example
 * const faults = failureInjector({ rate: 0.01, broken: 3 });
 * createOpHandler(deps, { runPartition: faults.run });
 */
import { createHash } from 'node:crypto';
import { runPartition } from '../../../functions/core/engine/index.ts';

export interface FailureInjector {
  run: typeof runPartition;
  fix(): void;
  /** Completed runs per partition id. */
  completed: Map<string, number>;
  /** Attempts per partition id (completed or not). */
  attempts: Map<string, number>;
  flaky: Set<string>;
  broken: Set<string>;
  /** Failures thrown. */
  injected: number;
}

export function failureInjector(opts: { rate: number; broken: number }): FailureInjector {
  const state: FailureInjector = {
    completed: new Map(), attempts: new Map(), flaky: new Set(), broken: new Set(), injected: 0,
    fix: () => { fixed = true; },
    run: async (prepared, partition) => {
      const n = (state.attempts.get(partition.id) ?? 0) + 1;
      state.attempts.set(partition.id, n);
      if (chosen(partition.id, opts.rate)) {
        state.flaky.add(partition.id);
        if (n === 1 && state.broken.size < opts.broken) state.broken.add(partition.id);
        if (state.broken.has(partition.id) ? !fixed : n === 1) {
          state.injected++;
          throw new Error(`injected failure of ${partition.id} (attempt ${n})`);
        }
      }
      const out = await runPartition(prepared, partition);
      state.completed.set(partition.id, (state.completed.get(partition.id) ?? 0) + 1);
      return out;
    },
  };
  let fixed = false;
  return state;
}

function chosen(id: string, rate: number): boolean {
  return createHash('sha256').update(id).digest().readUInt32BE(0) / 2 ** 32 < rate;
}
