/**
 * Every op, once: the list the job schema, the registry, the memory defaults and every deployment's
 * function list derive from. Adding an op is a folder under `ops/` with its `descriptor.ts`, one line here
 * and one in `registry.ts` (the compiler asks for it). The order is the order of functions in a stack.
 *
 * @example
 * OP_NAMES; // ['tile-reduce', 'composite', 'coherence-merge', 'parcel-aggregate']
 * opMemoryMb('composite'); // 1769
 */
import { coherenceMergeDescriptor } from './coherence-merge/descriptor.ts';
import { compositeDescriptor } from './composite/descriptor.ts';
import type { OpDescriptor } from './opDescriptor.ts';
import { parcelAggregateDescriptor } from './parcel-aggregate/descriptor.ts';
import { tileReduceDescriptor } from './tile-reduce/descriptor.ts';

export const OP_DESCRIPTORS = [tileReduceDescriptor, compositeDescriptor, coherenceMergeDescriptor, parcelAggregateDescriptor] as const;

export type OpName = (typeof OP_DESCRIPTORS)[number]['name'];

export const OP_NAMES: readonly OpName[] = OP_DESCRIPTORS.map((d) => d.name);

export function isOpName(name: string): name is OpName {
  return (OP_NAMES as readonly string[]).includes(name);
}

export function descriptorOf(name: string): OpDescriptor {
  const d = OP_DESCRIPTORS.find((o) => o.name === name);
  if (!d) throw new Error(`unknown op ${name}: expected one of ${OP_NAMES.join(', ')}`);
  return d;
}

/** The memory (MB) an op's partitions are planned for and its function gets, when no deployment overrides it. */
export function opMemoryMb(op: string): number {
  return descriptorOf(op).memoryMb;
}
