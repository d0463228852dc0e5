/**
 * Entry point of every eofn function image (`node server.js`, or `node functions/adapters/openfaas/server.ts`):
 * reads the configuration and secrets, registers S3 storage, connects to PostgreSQL (applying migrations),
 * and serves the handler named by `EOFN_FUNCTION` on `PORT` (default 3000) of `EOFN_LISTEN_HOST` (default
 * 127.0.0.1: only the watchdog in the same pod reaches it).
 *
 * @example
 * // EOFN_FUNCTION=tile-reduce EOFN_SECRETS_DIR=./secrets node functions/adapters/openfaas/server.ts
 */
import { startFunction } from './startFunction.ts';

const { server, close, listenHost } = await startFunction(process.env);
server.listen(Number(process.env.PORT ?? 3000), listenHost);
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  // The watchdog sends SIGTERM on scale-down: finish the call in flight, then leave.
  process.once(signal, () => server.close(() => void close().finally(() => process.exit(0))));
}
