/**
 * Entry point of every eofn function image (`node server.js`, or `node functions/adapters/openfaas/server.ts`):
 * reads the configuration and secrets, registers S3 storage, connects to PostgreSQL (applying migrations),
 * and serves the handler named by `EOFN_FUNCTION` on `PORT` (default 3000) of `EOFN_LISTEN_HOST` (default
 * 127.0.0.1: only the watchdog in the same pod reaches it), draining on SIGTERM (see functionLifecycle.ts).
 *
 * @example
 * // EOFN_FUNCTION=tile-reduce EOFN_SECRETS_DIR=./secrets node functions/adapters/openfaas/server.ts
 */
import { startFunction } from './startFunction.ts';

const { server, store, lifecycle, close, listenHost } = await startFunction(process.env);
// The pod is killed after its grace period (EOFN_GRACE_SECONDS, 30 s on CE): a partition still running then
// should be re-sent soon after, so the claims held at SIGTERM (and at the end of the drain window) end then.
const grace = Number(process.env.EOFN_GRACE_SECONDS ?? 0);
const shortenLeases = () => void (grace > 0 ? store.shortenHeldLeases(grace + 10) : Promise.resolve(0)).catch(() => 0);
server.listen(Number(process.env.PORT ?? 3000), listenHost);
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  // The watchdog forwards SIGTERM at once but keeps routing calls for healthcheck_interval: serve them,
  // then leave once nothing is in flight (exit 0: the watchdog treats any other exit as a crash).
  process.once(signal, () => {
    shortenLeases();
    setTimeout(shortenLeases, lifecycle.options.drainSeconds * 1000).unref();
    void lifecycle.drain().then(() => server.close(() => void close().finally(() => process.exit(0))));
  });
}
