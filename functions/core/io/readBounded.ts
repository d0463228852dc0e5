/**
 * Reading a response body without trusting it: at most `limit` bytes (the size asked for, or the configured
 * maximum of a whole-object read), and no more than `idleMs` between two chunks. An endless body ends in an
 * error at the limit, a stalled one at the idle timeout; the connection is dropped either way.
 *
 * @example
 * const bytes = await readBounded(res, { href, limit: 65536, idleMs: 30_000, abort: () => controller.abort() });
 */
import { EofnError, InputError } from '../errors.ts';

/** A read that took too long: transient (a retry may succeed), unlike a body past its limit. */
export class HttpTimeoutError extends EofnError {
  constructor(message: string) {
    super(message, { permanent: false });
    this.name = 'HttpTimeoutError';
  }
}

export interface BoundedRead {
  href: string;
  /** Most bytes accepted; more is an error. */
  limit: number;
  idleMs: number;
  /** Drops the connection (the fetch's AbortController). */
  abort(): void;
  /** A server that ignored Range: drop the first `skip` bytes unkept, keep `limit`, then stop quietly. */
  skip?: number;
}

export async function readBounded(res: Response, opts: BoundedRead): Promise<Uint8Array> {
  const declared = res.headers.get('content-length');
  const skipping = opts.skip !== undefined;
  if (!skipping && declared !== null && Number(declared) > opts.limit) {
    opts.abort();
    throw new InputError(opts.href, `the server announces ${declared} bytes, more than the ${opts.limit} bytes this read allows`);
  }
  const reader = res.body?.getReader();
  if (!reader) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  let toSkip = opts.skip ?? 0;
  try {
    for (;;) {
      const { done, value } = await withIdleTimeout(reader.read(), opts);
      if (done) break;
      let chunk = value;
      if (toSkip) {
        const dropped = Math.min(toSkip, chunk.length);
        toSkip -= dropped;
        chunk = chunk.subarray(dropped);
      }
      if (skipping) chunk = chunk.subarray(0, opts.limit - total);
      total += chunk.length;
      if (total > opts.limit) throw new InputError(opts.href, `the response body is larger than the ${opts.limit} bytes this read allows`);
      if (chunk.length) chunks.push(chunk);
      if (skipping && total >= opts.limit) break;
    }
  } catch (e) {
    opts.abort();
    throw e;
  }
  await reader.cancel().catch(() => undefined);
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function withIdleTimeout<T>(read: Promise<T>, opts: BoundedRead): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      // Rejected before aborting: the aborted read would otherwise win the race with a bare AbortError.
      reject(new HttpTimeoutError(`no data for ${opts.idleMs} ms while reading the body`));
      opts.abort();
    }, opts.idleMs);
  });
  return Promise.race([read, timeout]).finally(() => clearTimeout(timer));
}
