/**
 * How a function process lives behind of-watchdog (`mode=http`): it is ready only once Node listens, takes
 * at most `max_inflight` calls at once, and drains on SIGTERM. The watchdog's own health check only looks
 * at `/tmp/.lock`, which it would write at start, before Node listens; with `suppress_lock=true` it leaves
 * that file to us, so we write it when the server listens and calls are routed only from then on. On
 * SIGTERM the watchdog removes the file, keeps forwarding calls for `healthcheck_interval` while the pod
 * leaves the endpoints, then waits for calls in flight; so we keep serving through that window and exit
 * (status 0, which the watchdog does not treat as a crash) once it has passed and nothing is in flight.
 * A call the watchdog gave up on (`exec_timeout`) may still be running here: the limit counts our own
 * handlers, so the next call gets 429 instead of a second partition in the same memory.
 *
 * @example
 * const life = new FunctionLifecycle(lifecycleOptions(process.env));
 * server.listen(3000, () => life.markReady());
 * process.once('SIGTERM', () => void life.drain().then(() => process.exit(0)));
 */
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LifecycleOptions {
  /** Calls handled at once; 0 = no limit. */
  maxInflight: number;
  /** How long the watchdog keeps routing calls after SIGTERM. */
  drainSeconds: number;
  /** The watchdog's lock file, written by us when `suppress_lock` is set; undefined when not behind one. */
  lockFile?: string;
}

/** Reads the watchdog's own settings (the watchdog passes its environment to the process it starts). */
export function lifecycleOptions(env: Record<string, string | undefined>): LifecycleOptions {
  const suppressed = /^(1|true)$/i.test(env.suppress_lock ?? '');
  return {
    maxInflight: Math.max(0, Number.parseInt(env.max_inflight ?? '0', 10) || 0),
    drainSeconds: goDurationSeconds(env.healthcheck_interval) ?? goDurationSeconds(env.write_timeout) ?? 0,
    lockFile: suppressed ? join(tmpdir(), '.lock') : undefined,
  };
}

/** A Go duration ("10s", "1m30s", "500ms") or plain seconds ("10"), as of-watchdog parses them. */
export function goDurationSeconds(value: string | undefined): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6, µs: 1e-6, ns: 1e-9 };
  let total = 0;
  const rest = value.replace(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g, (_, n: string, unit: string) => {
    total += Number(n) * units[unit];
    return '';
  });
  return rest === '' ? total : undefined;
}

export class FunctionLifecycle {
  readonly options: LifecycleOptions;
  private inFlight = 0;
  private ready = false;
  private draining = false;
  private idleWaiters: (() => void)[] = [];

  constructor(options: LifecycleOptions) {
    this.options = options;
  }

  /** The server listens: from now on the watchdog's health check passes. */
  markReady(): void {
    this.ready = true;
    if (this.options.lockFile) writeFileSync(this.options.lockFile, '');
  }

  /** `/_/health` and `/_/ready` (the watchdog's `ready_path`): 503 before listening and while draining. */
  probe(path: string): { status: number; body: Record<string, unknown> } | undefined {
    if (!path.startsWith('/_/health') && !path.startsWith('/_/ready')) return undefined;
    const ok = this.ready && !this.draining;
    return { status: ok ? 200 : 503, body: { ok, draining: this.draining, inFlight: this.inFlight } };
  }

  /** Takes a call slot; false when `maxInflight` calls are running (answer 429: the caller retries). */
  admit(): boolean {
    if (this.options.maxInflight > 0 && this.inFlight >= this.options.maxInflight) return false;
    this.inFlight++;
    return true;
  }

  release(): void {
    this.inFlight--;
    if (this.inFlight === 0) for (const wake of this.idleWaiters.splice(0)) wake();
  }

  /** SIGTERM: unready at once, keep serving for the drain window, resolve once nothing is in flight. */
  async drain(): Promise<void> {
    this.draining = true;
    if (this.options.lockFile) rmSync(this.options.lockFile, { force: true });
    await new Promise((r) => setTimeout(r, this.options.drainSeconds * 1000));
    if (this.inFlight > 0) await new Promise<void>((r) => this.idleWaiters.push(r));
  }
}
