/**
 * Request limits within one process: at most `maxConcurrent` requests in flight, and at most `perMinute`
 * started in any 60-second window (a sliding window of start times, so no burst at a minute boundary can
 * exceed it). Waiters are served in arrival order.
 *
 * @example
 * const limiter = localRequestLimiter({ maxConcurrent: 4, perMinute: 2000 });
 * const release = await limiter.acquire(); try { await get(); } finally { release(); }
 */
import type { RequestLimiter } from './limitedStorage.ts';

export interface RequestLimits {
  maxConcurrent?: number;
  perMinute?: number;
}

const WINDOW_MS = 60_000;

export function localRequestLimiter(limits: RequestLimits, clock: { now(): number } = Date): RequestLimiter {
  const maxConcurrent = limits.maxConcurrent ?? Infinity;
  const perMinute = limits.perMinute ?? Infinity;
  const starts: number[] = [];
  const waiting: (() => void)[] = [];
  let active = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const pump = () => {
    while (waiting.length && active < maxConcurrent) {
      const now = clock.now();
      while (starts.length && starts[0] <= now - WINDOW_MS) starts.shift();
      if (starts.length >= perMinute) {
        // The window is full: look again when its oldest start leaves it.
        if (!timer) timer = setTimeout(() => { timer = undefined; pump(); }, starts[0] + WINDOW_MS - now + 1);
        return;
      }
      starts.push(now);
      active++;
      waiting.shift()!();
    }
  };

  return {
    async acquire() {
      await new Promise<void>((resolve) => { waiting.push(resolve); pump(); });
      let released = false;
      return () => {
        if (released) return;
        released = true;
        active--;
        pump();
      };
    },
  };
}
