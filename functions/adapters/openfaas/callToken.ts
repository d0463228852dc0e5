/**
 * Who may call an eofn function on a DIAS: whoever holds the deployment's call token, the OpenFaaS secret
 * `eofn-call-token` (OpenFaaS CE invokes functions without authentication, and a pod port is reachable
 * past the gateway). eofn's own calls (dispatcher, reconciler, `eofn submit`) send it in `X-Eofn-Token`;
 * a Ceph RGW push endpoint, which cannot set headers, may carry it as `?token=`. Compared in constant time.
 * The cron functions (`reconcile`, `stac-poll`) take no input, so the cron connector, which sends no
 * headers, may call them without it; a body sent to them is ignored.
 *
 * @example
 * if (!callAllowed(req, token, 'tile-reduce')) return reply(401, { error: 'missing or wrong call token' });
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const CALL_TOKEN_SECRET = 'eofn-call-token';
export const CALL_TOKEN_HEADER = 'x-eofn-token';
/** Functions whose calls carry no input (the cron connector triggers them without headers). */
export const INPUTLESS_FUNCTIONS: readonly string[] = ['reconcile', 'stac-poll'];

/** Equal strings, in time that does not depend on where they differ (hashing first evens the lengths). */
export function sameToken(expected: string, given: string | undefined): boolean {
  if (!expected || given === undefined) return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
}

/** The token a request presents: the header, or the `token` query parameter. */
function presentedToken(req: IncomingMessage): string | undefined {
  const header = req.headers[CALL_TOKEN_HEADER];
  if (typeof header === 'string') return header;
  const query = new URL(req.url ?? '/', 'http://function').searchParams.get('token');
  return query ?? undefined;
}

export function callAllowed(req: IncomingMessage, token: string, functionName: string): boolean {
  return INPUTLESS_FUNCTIONS.includes(functionName) || sameToken(token, presentedToken(req));
}
