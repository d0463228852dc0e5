/** The in-process request limiter: concurrency and a sliding 60-second window, waiters in arrival order. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { localRequestLimiter } from '../../../functions/core/io/localRequestLimiter.ts';
import { LimitedStorage } from '../../../functions/core/io/limitedStorage.ts';
import type { Storage } from '../../../functions/core/io/storage.ts';

beforeEach(() => { vi.useFakeTimers(); });
afterEach(() => { vi.useRealTimers(); });

describe('localRequestLimiter', () => {
  it('keeps at most maxConcurrent requests in flight, in arrival order', async () => {
    // Prepare
    let inFlight = 0, most = 0;
    const order: number[] = [];
    const inner = { readRange: async (_h: string, offset: number) => {
      most = Math.max(most, ++inFlight);
      order.push(offset);
      await new Promise((r) => setTimeout(r, 10));
      inFlight--;
      return new Uint8Array(0);
    } } as unknown as Storage;
    const storage = new LimitedStorage(inner, localRequestLimiter({ maxConcurrent: 4 }));
    // Act
    const all = Promise.all(Array.from({ length: 12 }, (_, i) => storage.readRange('s3://b/k', i, 1)));
    await vi.advanceTimersByTimeAsync(100);
    await all;
    // Assess
    expect(most).toBe(4);
    expect(order).toEqual([...Array(12).keys()]);
  });

  it('starts no more than perMinute requests in any 60-second window', async () => {
    // Prepare
    const limiter = localRequestLimiter({ perMinute: 3 });
    const started: number[] = [];
    // Act
    const all = Promise.all(Array.from({ length: 7 }, async () => { (await limiter.acquire())(); started.push(Date.now()); }));
    await vi.advanceTimersByTimeAsync(59_000);
    const inFirstMinute = started.length;
    await vi.advanceTimersByTimeAsync(125_000);
    await all;
    // Assess
    expect(inFirstMinute).toBe(3);
    expect(started).toHaveLength(7);
    for (let i = 3; i < started.length; i++) expect(started[i] - started[i - 3]).toBeGreaterThanOrEqual(60_000);
  });
});
