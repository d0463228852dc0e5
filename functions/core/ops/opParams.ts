/** Each operation's params schema, by op name: the job schema is built from this list. */
import { TileReduceParamsSchema } from './tile-reduce/params.ts';
import { ParcelAggregateParamsSchema } from './parcel-aggregate/params.ts';
import { CompositeParamsSchema } from './composite/params.ts';
import { CoherenceMergeParamsSchema } from './coherence-merge/params.ts';

export const OP_PARAMS = {
  'tile-reduce': TileReduceParamsSchema,
  'parcel-aggregate': ParcelAggregateParamsSchema,
  composite: CompositeParamsSchema,
  'coherence-merge': CoherenceMergeParamsSchema,
};
