/**
 * A process-wide budget of bytes in flight: a task asks for the bytes it will hold and waits until they fit.
 * Decoded blocks are bounded this way rather than by a count, because one block of a 256-band interleaved
 * tile holds 256 times what a single-band block does. A task larger than the whole budget runs alone.
 *
 * @example
 * await DECODE_BUDGET.run(expectedBytes, () => decodeBlock(...));
 */
export interface ByteBudget {
  readonly capacity: number;
  run<T>(bytes: number, task: () => Promise<T>): Promise<T>;
  /** Bytes held right now (for tests and logs). */
  inUse(): number;
}

export function byteBudget(capacity: number): ByteBudget {
  let used = 0;
  const waiting: { bytes: number; start: () => void }[] = [];
  const fits = (bytes: number) => used === 0 || used + bytes <= capacity;
  // First come, first served: a large task is not overtaken for ever by small ones.
  const wake = () => {
    while (waiting.length && fits(waiting[0].bytes)) {
      const next = waiting.shift()!;
      used += next.bytes;
      next.start();
    }
  };
  return {
    capacity,
    inUse: () => used,
    async run(bytes, task) {
      if (!waiting.length && fits(bytes)) used += bytes;
      else await new Promise<void>((start) => waiting.push({ bytes, start }));
      try {
        return await task();
      } finally {
        used -= bytes;
        wake();
      }
    },
  };
}

/**
 * Decoded block bytes in flight in this process: 96 MiB, inside the 160 MB runtime baseline the memory
 * model gives every partition (`memoryModel.ts`), so the plan's estimate holds whatever the inputs' layout.
 */
export const DECODED_BYTES_IN_FLIGHT = 96 * 2 ** 20;
export const DECODE_BUDGET = byteBudget(DECODED_BYTES_IN_FLIGHT);
