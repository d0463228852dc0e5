/**
 * How long the property tests run: a short run in `npm test` (EOFN_FUZZ_RUNS unset: 60 cases per property),
 * a long one for a nightly job (`npm run fuzz`: EOFN_FUZZ_RUNS=20000). `EOFN_FUZZ_SEED` replays a failure
 * that fast-check reported with its seed; the committed corpus (`corpus/`) runs first, every time.
 *
 * @example
 * fc.assert(fc.property(arb, check), fuzzParameters(corpus));
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type fc from 'fast-check';

export const FUZZ_RUNS = Number(process.env.EOFN_FUZZ_RUNS ?? 60);

export function fuzzParameters<T>(examples: T[] = []): fc.Parameters<[T]> {
  const seed = process.env.EOFN_FUZZ_SEED;
  return { numRuns: FUZZ_RUNS, examples: examples.map((e) => [e] as [T]), ...(seed ? { seed: Number(seed) } : {}) };
}

/** A corpus file: a JSON array of seed inputs found interesting (past failures, known attacks). */
export function corpus<T>(name: string): T[] {
  return JSON.parse(readFileSync(join(import.meta.dirname, 'corpus', name), 'utf8')) as T[];
}

/** Seconds a property may spend on a single case: far above a normal case, far below a hang. */
export const CASE_BUDGET_MS = 2000;
