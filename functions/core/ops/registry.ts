/**
 * Every operation's implementation by name (the names are the descriptors', `descriptors.ts`): the engine
 * and all adapters dispatch through this one table. A descriptor without an implementation does not compile.
 */
import type { OpName } from './descriptors.ts';
import type { Operation } from './types.ts';
import { tileReduce } from './tile-reduce/tileReduce.ts';
import { parcelAggregate } from './parcel-aggregate/parcelAggregate.ts';
import { composite } from './composite/composite.ts';
import { coherenceMerge } from './coherence-merge/coherenceMerge.ts';
import { withTiles } from './tiles/withTiles.ts';

export const OPERATIONS: Record<OpName, Operation> = {
  'tile-reduce': withTiles(tileReduce),
  composite: withTiles(composite),
  // Warps every input onto one grid: never a multi-tile job.
  'coherence-merge': coherenceMerge,
  'parcel-aggregate': withTiles(parcelAggregate),
};

export function operationOf(name: string): Operation {
  const op = OPERATIONS[name as OpName];
  if (!op) throw new Error(`unknown op ${name}`);
  return op;
}
