/** The tile-reduce op as the contract and the deployments see it (see `../opDescriptor.ts`). */
import { DEFAULT_MEMORY_MB } from '../../plan/memoryModel.ts';
import type { OpDescriptor } from '../opDescriptor.ts';
import { TileReduceParamsSchema } from './params.ts';

export const tileReduceDescriptor = {
  name: 'tile-reduce',
  params: TileReduceParamsSchema,
  // The planner's default budget (1769 MB, a whole vCPU on Lambda); deployments override it by name.
  memoryMb: DEFAULT_MEMORY_MB,
} as const satisfies OpDescriptor;
