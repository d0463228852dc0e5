/**
 * The lifecycle of a function process behind of-watchdog: settings read from the watchdog's own variables,
 * readiness only after listening, the call limit, and the drain on SIGTERM. Timeouts derived from a time
 * limit fit the watchdog's shutdown sequence.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EDITIONS } from '../../../openfaas/deploy/editions.ts';
import { functionTimings } from '../../../openfaas/deploy/functionTimings.ts';
import { FunctionLifecycle, goDurationSeconds, lifecycleOptions } from '../../../functions/adapters/openfaas/functionLifecycle.ts';

describe('goDurationSeconds (as of-watchdog parses its durations)', () => {
  it.each([['10s', 10], ['1m30s', 90], ['500ms', 0.5], ['15', 15], ['1h', 3600]])('%s = %s s', (v, s) => {
    expect(goDurationSeconds(v)).toBeCloseTo(s);
  });
  it('gives undefined for what it cannot read', () => {
    expect(goDurationSeconds('soon')).toBeUndefined();
    expect(goDurationSeconds(undefined)).toBeUndefined();
  });
});

describe('lifecycleOptions', () => {
  it('reads max_inflight, healthcheck_interval and suppress_lock, the lock in TMPDIR as the watchdog has it', () => {
    const o = lifecycleOptions({ max_inflight: '1', healthcheck_interval: '10s', suppress_lock: 'true' });
    expect(o).toMatchObject({ maxInflight: 1, drainSeconds: 10 });
    expect(o.lockFile).toBe(join(tmpdir(), '.lock'));
    // Without suppress_lock the watchdog owns the lock file; the drain falls back to write_timeout as it does.
    expect(lifecycleOptions({ write_timeout: '30s' })).toEqual({ maxInflight: 0, drainSeconds: 30, lockFile: undefined });
  });
});

describe('FunctionLifecycle', () => {
  it('is unready until it listens, admits max_inflight calls, and drains: unready at once, done when idle', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'eofn-life-'));
    const life = new FunctionLifecycle({ maxInflight: 1, drainSeconds: 0.05, lockFile: join(dir, '.lock') });

    // Act / Assess
    expect(life.probe('/_/ready')!.status).toBe(503);
    life.markReady();
    expect(existsSync(join(dir, '.lock'))).toBe(true);
    expect(life.probe('/_/health')!.status).toBe(200);
    expect(life.probe('/')).toBeUndefined();
    expect(life.admit()).toBe(true);
    expect(life.admit()).toBe(false);
    let drained = false;
    const draining = life.drain().then(() => { drained = true; });
    expect(life.probe('/_/ready')!.status).toBe(503);
    expect(existsSync(join(dir, '.lock'))).toBe(false);
    await new Promise((r) => setTimeout(r, 100));
    expect(drained).toBe(false); // a call is still in flight
    life.release();
    await draining;
    expect(drained).toBe(true);
    await rm(dir, { recursive: true, force: true });
  });
});

describe('functionTimings', () => {
  it('derives every timeout from the time limit so a call accepted at the end of the drain window fits', () => {
    const standard = functionTimings(900, EDITIONS.standard);
    expect(standard).toEqual({ timeLimit: 900, exec: 900, healthcheck: 10, read: 915, write: 915, grace: 917, lease: 975 });
    // The watchdog waits healthcheck, then up to write for calls in flight; Standard kills the pod at grace.
    expect(standard.healthcheck + standard.exec).toBeLessThanOrEqual(standard.grace);
    expect(functionTimings(900, EDITIONS.ce).grace).toBe(30);
  });
});
