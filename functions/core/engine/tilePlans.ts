/**
 * A multi-tile job's plan stored per tile: `_eofn/plan/<tile>.json` holds the tile's setup and its
 * partitions, in exact JSON with deterministic bytes, so that a function running a partition of tile 33TWM
 * loads that tile's plan and no other (a country's 100,000 partitions are never parsed by each partition).
 * The SHA-256 of each tile plan is recorded in the job's state (`recordTile`), and a reader checks it,
 * as for the prepared job.
 *
 * @example
 * const ref = await storeTilePlan(prepared.outputHref, { tile, plan });
 * const { tile, plan } = await loadTilePlan(ref.href, ref.digest);
 */
import { createHash } from 'node:crypto';
import { InputError } from '../errors.ts';
import { storageFor } from '../io/storage.ts';
import type { TileSetup } from '../ops/tiles/tiledSetup.ts';
import type { OpPlan } from '../plan/types.ts';
import { fromExactJson, toExactJson } from './exactJson.ts';
import type { StoredRef } from './storedJob.ts';

export interface TilePlan {
  /** The tile's key, grid, items and op setup. */
  tile: TileSetup;
  /** The tile's plan: its partitions (ids prefixed with the tile's key), its merge's peak, its model. */
  plan: OpPlan;
}

export function tilePlanRefOf(outputHref: string, key: string): string {
  return `${outputHref}/_eofn/plan/${key}.json`;
}

export async function storeTilePlan(outputHref: string, tilePlan: TilePlan): Promise<StoredRef> {
  const href = tilePlanRefOf(outputHref, tilePlan.tile.key);
  const bytes = new TextEncoder().encode(toExactJson(tilePlan));
  await storageFor(href).write(href, bytes, 'application/json');
  return { href, digest: createHash('sha256').update(bytes).digest('hex') };
}

/** Reads a tile plan and refuses bytes other than those recorded when the tile was planned. */
export async function loadTilePlan(ref: string, digest: string): Promise<TilePlan> {
  const bytes = await storageFor(ref).readAll(ref);
  if (createHash('sha256').update(bytes).digest('hex') !== digest) {
    throw new InputError(ref, 'the tile plan does not match the one recorded when the tile was planned (changed since); refusing to run it');
  }
  return fromExactJson<TilePlan>(new TextDecoder().decode(bytes));
}
