/**
 * Reads the body of a queue message into the message it carries. A partner may send the bare job JSON
 * instead of a `{ kind: 'job' }` envelope; a job by reference is read from its `jobRef`.
 *
 * @example
 * const { raw, base } = await jobFromMessage(record.body);
 */
import { InputError } from '../../core/errors.ts';
import { parseJson } from '../../core/io/parseJson.ts';
import { readJobFile, type FinalizeMessage, type PartitionMessage } from '../../core/engine/index.ts';

export async function jobFromMessage(body: string): Promise<{ raw: unknown; base?: string; ref?: string }> {
  const parsed = parseBody(body) as Record<string, unknown>;
  if (parsed.kind === 'job' && typeof parsed.jobRef === 'string') {
    const { raw, base } = await readJobFile(parsed.jobRef);
    return { raw, base, ref: parsed.jobRef };
  }
  if (parsed.kind === 'job' && 'job' in parsed) return { raw: parsed.job, base: typeof parsed.base === 'string' ? parsed.base : undefined };
  return { raw: parsed };
}

export function partitionFromMessage(body: string): PartitionMessage {
  const m = parseBody(body) as PartitionMessage;
  if (m.kind !== 'partition' || typeof m.jobId !== 'string' || typeof m.partition?.id !== 'string') {
    throw new InputError('message', 'expected a partition message { kind: "partition", jobId, op, partition: { id } }');
  }
  // Only the names are kept: whatever else a sender put in the message is never read.
  return { kind: 'partition', jobId: m.jobId, op: String(m.op), partition: { id: m.partition.id } };
}

export function finalizeFromMessage(body: string): FinalizeMessage {
  const m = parseBody(body) as FinalizeMessage;
  if (m.kind !== 'finalize' || typeof m.jobId !== 'string') {
    throw new InputError('message', 'expected a finalize message { kind: "finalize", jobId }');
  }
  return { kind: 'finalize', jobId: m.jobId };
}

/** The job id a message names, if any: for recording where a poison message came from. */
export function jobIdOf(body: string): string | undefined {
  try {
    const id = (JSON.parse(body) as { jobId?: unknown }).jobId;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

function parseBody(body: string): unknown {
  const value = parseJson(body, 'message');
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new InputError('message', 'expected a JSON object');
  return value;
}
