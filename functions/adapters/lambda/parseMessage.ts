/**
 * Reads the body of a queue message into the message it carries, with the schemas of `engine/messages.ts`.
 * A partner may send the bare job JSON instead of a `{ kind: 'job' }` envelope; a job by reference is read
 * from its `jobRef`.
 *
 * @example
 * const { raw, base } = await jobFromMessage(record.body);
 */
import { InputError } from '../../core/errors.ts';
import { parseJson } from '../../core/io/parseJson.ts';
import {
  finalizeMessageSchema, jobMessageSchema, partitionMessageSchema, planTileMessageSchema, readJobMessage, type FinalizeMessage, type PartitionMessage,
  type PlanTileMessage,
} from '../../core/engine/index.ts';

export async function jobFromMessage(body: string): Promise<{ raw: unknown; base?: string; ref?: string }> {
  const parsed = parseBody(body);
  const envelope = jobMessageSchema.safeParse(parsed);
  return envelope.success ? readJobMessage(envelope.data) : { raw: parsed };
}

export function partitionFromMessage(body: string): PartitionMessage {
  const m = partitionMessageSchema.safeParse(parseBody(body));
  if (!m.success) throw new InputError('message', 'expected a partition message { kind: "partition", jobId, op, partition: { id } }');
  return m.data;
}

/** A `plan-tile` message, or undefined when the body is another message (a job). */
export function planTileFromMessage(body: string): PlanTileMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  if ((value as { kind?: unknown } | null)?.kind !== 'plan-tile') return undefined;
  const m = planTileMessageSchema.safeParse(value);
  if (!m.success) throw new InputError('message', 'expected a plan-tile message { kind: "plan-tile", jobId, tile }');
  return m.data;
}

export function finalizeFromMessage(body: string): FinalizeMessage {
  const m = finalizeMessageSchema.safeParse(parseBody(body));
  if (!m.success) throw new InputError('message', 'expected a finalize message { kind: "finalize", jobId }');
  return m.data;
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
