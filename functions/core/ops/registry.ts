/** Every operation by name: the engine and all adapters dispatch through this one table. */
import type { Operation } from './types.ts';
import { tileReduce } from './tile-reduce/tileReduce.ts';
import { parcelAggregate } from './parcel-aggregate/parcelAggregate.ts';
import { composite } from './composite/composite.ts';
import { coherenceMerge } from './coherence-merge/coherenceMerge.ts';
import { withTiles } from './tiles/withTiles.ts';

export const OPERATIONS: Record<string, Operation> = {
  'tile-reduce': withTiles(tileReduce),
  'parcel-aggregate': withTiles(parcelAggregate),
  composite: withTiles(composite),
  // Warps every input onto one grid: never a multi-tile job.
  'coherence-merge': coherenceMerge,
};

export function operationOf(name: string): Operation {
  const op = OPERATIONS[name];
  if (!op) throw new Error(`unknown op ${name}`);
  return op;
}
