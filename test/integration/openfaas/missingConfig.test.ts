/**
 * Optional settings left out answer 400 with the setting's name, not a 500 (which the queue-worker and the
 * cron connector would count as a crash): the STAC poller without EOFN_STAC_API_URL, the arrivals
 * endpoint without EOFN_ARRIVAL_RULES.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDiasHarness, type DiasHarness } from './helpers/diasHarness.ts';

let dias: DiasHarness;

beforeAll(async () => {
  dias = await startDiasHarness('config', ['stac-poll', 'arrivals'], { EOFN_ARRIVAL_RULES: '' });
});

afterAll(() => dias?.close());

async function call(fn: string, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${dias.gateway.url}/function/${fn}`, { method: 'POST', headers: dias.headers, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

describe('missing optional configuration', () => {
  it('the STAC poller without EOFN_STAC_API_URL answers 400 naming it', async () => {
    const { status, body } = await call('eofn-stac-poll', {});
    expect(status).toBe(400);
    expect(body.error).toMatch(/EOFN_STAC_API_URL/);
  });

  it('the arrivals endpoint without EOFN_ARRIVAL_RULES answers 400 naming it', async () => {
    const { status, body } = await call('eofn-arrivals', { Records: [] });
    expect(status).toBe(400);
    expect(body.error).toMatch(/EOFN_ARRIVAL_RULES.*not set/);
  });
});
