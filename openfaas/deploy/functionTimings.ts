/**
 * Every timeout of a function derived from one number, its time limit T (900 s for a partition). The
 * of-watchdog kills the call at `exec_timeout` = T. After SIGTERM it answers its health check with 503 and
 * keeps serving for `healthcheck_interval` H (until the endpoints drop the pod), then waits up to
 * `write_timeout` W for calls in flight; so W = T + H + 5 s covers a call accepted at the end of the drain
 * window. OpenFaaS Standard sets the pod's terminationGracePeriodSeconds to W + 2 s; CE leaves 30 s. The
 * lease outlives W, so only a dead or timed-out worker loses its claim.
 *
 * @example
 * functionTimings(900, editionOf('standard'));
 * // { timeLimit: 900, exec: 900, healthcheck: 10, write: 915, read: 915, grace: 917, lease: 975 }
 */
import type { Edition } from './editions.ts';

/** The drain window: readiness probes run every 2 s and fail after 3 misses (chart defaults), plus propagation. */
const HEALTHCHECK_SECONDS = 10;
const MARGIN_SECONDS = 5;
const LEASE_MARGIN_SECONDS = 60;

export interface FunctionTimings {
  timeLimit: number;
  exec: number;
  healthcheck: number;
  read: number;
  write: number;
  /** terminationGracePeriodSeconds as the edition's provider sets it. */
  grace: number;
  lease: number;
}

export function functionTimings(timeLimitSeconds: number, edition: Edition): FunctionTimings {
  const write = timeLimitSeconds + HEALTHCHECK_SECONDS + MARGIN_SECONDS;
  return {
    timeLimit: timeLimitSeconds,
    exec: timeLimitSeconds,
    healthcheck: HEALTHCHECK_SECONDS,
    read: write,
    write,
    grace: edition.graceSeconds(write),
    lease: write + LEASE_MARGIN_SECONDS,
  };
}
