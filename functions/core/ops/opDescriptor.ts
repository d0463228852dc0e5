/**
 * What everything outside an op needs to know of it, in one file per op (`ops/<op>/descriptor.ts`): its
 * name (the job's `op`, its queue, its Lambda and OpenFaaS function), its params schema (part of the job
 * contract) and the memory its partition function gets unless a deployment overrides it (infra/config,
 * openfaas/providers). The implementation is registered under the same name in `registry.ts`, apart, so
 * that the job contract reads the params without loading any op's code.
 *
 * @example
 * export const tileReduceDescriptor = { name: 'tile-reduce', params: TileReduceParamsSchema, memoryMb: 1769 } as const satisfies OpDescriptor;
 */
import type { z } from 'zod';

export interface OpDescriptor {
  name: string;
  params: z.ZodType;
  /** MB of the op's partition function, and so the budget its partitions are planned for. */
  memoryMb: number;
}
