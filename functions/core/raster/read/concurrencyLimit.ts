/**
 * Runs async tasks with at most `limit` of them in flight, so that a full-band read keeps the thread pool busy
 * without holding every decoded block in memory at once.
 *
 * @example
 * const limited = concurrencyLimit(4);
 * await Promise.all(blocks.map((b) => limited(() => decode(b))));
 */
export function concurrencyLimit(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  // A finishing task hands its slot straight to the next waiter, so newcomers cannot overtake the queue.
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else active--;
  };
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else active++;
    try {
      return await task();
    } finally {
      release();
    }
  };
}
