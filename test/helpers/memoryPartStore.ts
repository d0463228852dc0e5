/**
 * A part store over parts held in memory, for tests that run an op's partitions and merge in-process.
 * A missing part throws, as the engine's store does.
 *
 * @example
 * const summary = await op.merge(setup, plan.partitions, memoryPartStore(parts), sink);
 */
import type { PartStore } from '../../functions/core/ops/types.ts';

export function memoryPartStore(parts: Map<string, Uint8Array>): PartStore {
  const get = (id: string) => {
    const bytes = parts.get(id);
    if (!bytes) throw new Error(`part ${id} is missing`);
    return bytes;
  };
  return {
    async read(id) { return get(id); },
    async readRange(id, offset, length) { return get(id).subarray(offset, offset + length); },
    async size(id) { return get(id).byteLength; },
  };
}
