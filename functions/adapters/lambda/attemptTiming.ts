/**
 * The two clocks of an attempt. `attemptDeadline`: by when SQS must have retried or dead-lettered a
 * partition that this receive starts (the receives left × the visibility timeout, six times the function's
 * timeout, plus a margin); past it the sweeper settles the partition. `timeoutWarning`: a timer that fires
 * shortly before Lambda ends the invocation at its timeout, since a timed-out function runs no `catch` and
 * would otherwise leave no reason behind.
 *
 * @example
 * const sweepAt = attemptDeadline(300, receiveCount, 5);
 * const warning = timeoutWarning(context, (ms) => store.noteAttemptEnding(jobId, part, attempt, `timed out after ${ms} ms`));
 * try { await work(); } finally { warning.cancel(); }
 */
import type { Context } from 'aws-lambda';

/** Visibility timeout = this × function timeout (what the stack configures, AWS's advice for SQS sources). */
export const VISIBILITY_FACTOR = 6;
const MARGIN_SECONDS = 300;

export function attemptDeadline(timeoutSeconds: number, receiveCount: number, maxReceiveCount: number, nowMs = Date.now()): number {
  const receivesLeft = Math.max(1, maxReceiveCount - receiveCount + 1);
  return Math.floor(nowMs / 1000) + receivesLeft * VISIBILITY_FACTOR * timeoutSeconds + MARGIN_SECONDS;
}

export function timeoutWarning(context: Pick<Context, 'getRemainingTimeInMillis'> | undefined, onWarning: (elapsedMs: number) => Promise<void>): { cancel(): void } {
  const remaining = context?.getRemainingTimeInMillis();
  if (!remaining || remaining <= 0) return { cancel: () => undefined };
  const started = Date.now();
  // One second before the end (a DynamoDB write takes milliseconds), or the last quarter of very short timeouts.
  const timer = setTimeout(() => void onWarning(Date.now() - started).catch(() => undefined), remaining - Math.min(1000, remaining / 4));
  timer.unref?.();
  return { cancel: () => clearTimeout(timer) };
}
