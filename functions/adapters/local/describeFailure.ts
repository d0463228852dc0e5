/**
 * How a partition failure is recorded: the message, and whether it is permanent (bad input: a malformed
 * TIFF, a missing asset) or worth retrying (I/O, memory, a crashed worker).
 *
 * @example
 * describeFailure(new BadTiffError('a.tif', 'truncated')); // { error: 'a.tif: truncated', permanent: true }
 */
export function describeFailure(e: unknown): { error: string; permanent: boolean } {
  const err = e instanceof Error ? e : new Error(String(e));
  const permanent = err.name === 'InputError' || err.name === 'BadTiffError' || err.name === 'InvalidJobError';
  return { error: err.message, permanent };
}
