/** The parcel-aggregate op as the contract and the deployments see it (see `../opDescriptor.ts`). */
import { DEFAULT_MEMORY_MB } from '../../plan/memoryModel.ts';
import type { OpDescriptor } from '../opDescriptor.ts';
import { ParcelAggregateParamsSchema } from './params.ts';

export const parcelAggregateDescriptor = {
  name: 'parcel-aggregate',
  params: ParcelAggregateParamsSchema,
  // The planner's default budget (1769 MB, a whole vCPU on Lambda); deployments override it by name.
  memoryMb: DEFAULT_MEMORY_MB,
} as const satisfies OpDescriptor;
