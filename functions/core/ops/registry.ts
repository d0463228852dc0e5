/** Every operation by name: the engine and all adapters dispatch through this one table. */
import type { Operation } from './types.ts';
import { tileReduce } from './tile-reduce/tileReduce.ts';
import { parcelAggregate } from './parcel-aggregate/parcelAggregate.ts';
import { composite } from './composite/composite.ts';
import { coherenceMerge } from './coherence-merge/coherenceMerge.ts';

export const OPERATIONS: Record<string, Operation> = {
  'tile-reduce': tileReduce,
  'parcel-aggregate': parcelAggregate,
  composite,
  'coherence-merge': coherenceMerge,
};

export function operationOf(name: string): Operation {
  const op = OPERATIONS[name];
  if (!op) throw new Error(`unknown op ${name}`);
  return op;
}
