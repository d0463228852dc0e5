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

/** Run count and seed from the environment; `examples` (argument tuples) run before the random cases. */
export function fuzzParameters<Ts extends unknown[]>(examples: Ts[] = []): fc.Parameters<Ts> {
  const seed = process.env.EOFN_FUZZ_SEED;
  return { numRuns: FUZZ_RUNS, examples, ...(seed ? { seed: Number(seed) } : {}) };
}

/** Corpus entries as the one-argument tuples of a property. */
export function single<T>(entries: T[]): [T][] {
  return entries.map((e) => [e]);
}

/** A corpus file: a JSON array of seed inputs found interesting (past failures, known attacks). */
export function corpus<T>(name: string): T[] {
  return JSON.parse(readFileSync(join(import.meta.dirname, 'corpus', name), 'utf8')) as T[];
}

/** Seconds a property may spend on a single case: far above a normal case, far below a hang. */
export const CASE_BUDGET_MS = 2000;
