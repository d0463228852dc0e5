/**
 * Request limits for a whole deployment, kept in its PostgreSQL: every replica of every function that reads
 * the archive takes a connection slot (a row with a lease) and a token from a shared bucket before each
 * request. The bucket holds at most `burst` tokens and refills at (perMinute − burst)/60 per second, so no
 * 60-second window ever sees more than `perMinute` requests. A replica that dies holding a slot frees it
 * when the lease ends.
 *
 * @example
 * const limiter = await pgRequestLimiter(pool, 'archive', { maxConcurrent: 4, perMinute: 2000 });
 * registerStorage('s3', new LimitedStorage(archive, limiter));
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { RequestLimiter } from '../../core/io/limitedStorage.ts';
import type { RequestLimits } from '../../core/io/localRequestLimiter.ts';

export interface PgLimiterOptions extends RequestLimits {
  /** Seconds a slot stays taken if its holder never gives it back (longer than any one request). */
  leaseSeconds?: number;
  /** Tokens available at once after a quiet spell. */
  burst?: number;
  /** Wait between two tries when no slot or token is free (jittered). */
  pollMs?: number;
}

export async function pgRequestLimiter(pool: pg.Pool, name: string, opts: PgLimiterOptions): Promise<RequestLimiter> {
  const holder = randomUUID();
  const lease = opts.leaseSeconds ?? 300;
  const pollMs = opts.pollMs ?? 50;
  const perMinute = opts.perMinute;
  const burst = perMinute ? Math.max(1, Math.min(opts.burst ?? Math.floor(perMinute / 20), perMinute - 1)) : 0;
  const refillPerSecond = perMinute ? (perMinute - burst) / 60 : 0;
  if (opts.maxConcurrent) {
    await pool.query('INSERT INTO request_slots (pool, slot) SELECT $1, g FROM generate_series(1, $2) g ON CONFLICT DO NOTHING', [name, opts.maxConcurrent]);
    await pool.query('DELETE FROM request_slots WHERE pool = $1 AND slot > $2', [name, opts.maxConcurrent]);
  }
  if (perMinute) {
    await pool.query('INSERT INTO request_buckets (pool, tokens, updated_at) VALUES ($1, $2, clock_timestamp()) ON CONFLICT DO NOTHING', [name, burst]);
  }
  // Waiting replicas back off (up to 8× pollMs) so that a long queue does not keep PostgreSQL busy.
  const pause = (attempt: number) => new Promise((r) => setTimeout(r, pollMs * Math.min(8, 2 ** (attempt / 4)) * (0.5 + Math.random())));

  async function takeToken(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const { rowCount } = await pool.query(
        `UPDATE request_buckets SET tokens = least($2::float8, tokens + extract(epoch FROM clock_timestamp() - updated_at) * $3::float8) - 1,
                updated_at = clock_timestamp()
          WHERE pool = $1 AND least($2::float8, tokens + extract(epoch FROM clock_timestamp() - updated_at) * $3::float8) >= 1`,
        [name, burst, refillPerSecond]);
      if (rowCount) return;
      await pause(attempt);
    }
  }

  async function takeSlot(): Promise<number> {
    for (let attempt = 0; ; attempt++) {
      const { rows } = await pool.query<{ slot: number }>(
        `UPDATE request_slots SET holder = $2, expires_at = clock_timestamp() + make_interval(secs => $3)
          WHERE pool = $1 AND slot = (SELECT slot FROM request_slots WHERE pool = $1 AND expires_at < clock_timestamp()
                                       ORDER BY slot LIMIT 1 FOR UPDATE SKIP LOCKED)
          RETURNING slot`,
        [name, holder, lease]);
      if (rows.length) return rows[0].slot;
      await pause(attempt);
    }
  }

  return {
    async acquire() {
      if (perMinute) await takeToken();
      if (!opts.maxConcurrent) return () => undefined;
      const slot = await takeSlot();
      return async () => {
        await pool.query(`UPDATE request_slots SET holder = NULL, expires_at = '-infinity' WHERE pool = $1 AND slot = $2 AND holder = $3`, [name, slot, holder]);
      };
    },
  };
}
