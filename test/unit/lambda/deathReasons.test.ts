/**
 * What the dead-letter consumer says about a partition, from what its attempts left in the table, and the
 * deadline by which SQS must have settled an attempt (past it, the sweeper does).
 */
import { describe, expect, it } from 'vitest';
import { partitionDeathReason } from '../../../functions/adapters/lambda/deadLetterHandler.ts';
import { attemptDeadline, timeoutWarning, VISIBILITY_FACTOR } from '../../../functions/adapters/lambda/attemptTiming.ts';

describe('partitionDeathReason', () => {
  it('names a timeout the last attempt noted, and how many attempts timed out', () => {
    expect(partitionDeathReason({ id: 'p', status: 'RUNNING', attempts: 5, timeouts: 5, error: "timed out: attempt 5 ran into the function's 300 s timeout (299.0 s in)" }, 5))
      .toBe("timed out: attempt 5 ran into the function's 300 s timeout (299.0 s in); timed out on 5 of 5 attempt(s)");
  });

  it('tells a function that died without a word (out of memory, a crash) from a timeout', () => {
    expect(partitionDeathReason({ id: 'p', status: 'RUNNING', attempts: 5 }, 5))
      .toBe("no outcome recorded in 5 attempt(s): the function died before its timeout (out of memory, or a crash; see the function's log)");
    expect(partitionDeathReason({ id: 'p', status: 'RUNNING', attempts: 5, timeouts: 2 }, 5)).toMatch(/^timed out on 2 of 5 attempt\(s\).*the last attempt recorded nothing/);
  });

  it('keeps the last error of a failed attempt, and says when no attempt ever started', () => {
    expect(partitionDeathReason({ id: 'p', status: 'FAILED', attempts: 4, error: 'Error: EIO' }, 5)).toBe('Error: EIO (dead after 4 attempt(s))');
    expect(partitionDeathReason(undefined, 5)).toBe('never started: dead-lettered after 5 receive(s) without an attempt recording itself');
  });
});

describe('attempt timing', () => {
  it('gives an attempt until SQS has had every receive left, each a visibility timeout, plus a margin', () => {
    const now = 1_700_000_000_000;
    expect(attemptDeadline(300, 1, 5, now)).toBe(now / 1000 + 5 * VISIBILITY_FACTOR * 300 + 300);
    expect(attemptDeadline(300, 5, 5, now)).toBe(now / 1000 + VISIBILITY_FACTOR * 300 + 300);
    expect(attemptDeadline(300, 9, 5, now)).toBe(now / 1000 + VISIBILITY_FACTOR * 300 + 300); // never less than one
  });

  it('warns in the last stretch before the timeout, and not at all once cancelled', async () => {
    const seen: number[] = [];
    let warned!: () => void;
    const fired = new Promise<void>((r) => { warned = r; });
    const warning = timeoutWarning({ getRemainingTimeInMillis: () => 200 }, async (ms) => { seen.push(ms); warned(); });
    const cancelled = timeoutWarning({ getRemainingTimeInMillis: () => 200 }, async () => void seen.push(-1));
    cancelled.cancel();
    await fired;
    await new Promise((r) => setTimeout(r, 50));
    warning.cancel();
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeGreaterThanOrEqual(149); // the last quarter of a short timeout (1 s of a long one)
  });
});
