/**
 * Fan-out at size on the DIAS path (fake gateway, PostgreSQL): a job of 1,024 partitions (one 16-px block each, NDVI median of two
 * real dates) with every partition call delivered twice and 1 % of the partitions failing: each partition
 * completes once, the job is merged once, the dead-lettered ones are redriven, and the product equals
 * `eofn run`'s byte for byte. The same code as `npm run bench:fanout` at 20,736 partitions.
 */
import { describe, expect, it } from 'vitest';
import { withFanoutReference } from '../../helpers/fanout/withFanoutReference.ts';
import { runDiasFanout } from '../../helpers/fanout/diasFanout.ts';

const fixture = withFanoutReference('eofn-fanout-dias-', 32);

describe('fan-out of 1,024 partitions on the DIAS path', () => {
  it('runs every partition once, merges once, retries and redrives the injected failures', async () => {
    // Act
    const report = await runDiasFanout(fixture.inputs, { lanes: 8, rate: 0.01, broken: 2 });

    // Assess
    expect(report).toMatchObject({ status: 'SUCCEEDED', partitions: 1024, done: 1024, failed: 0, merges: 1, maxCompletedRuns: 1 });
    expect(report.completedOnce).toBe(1024);
    expect(report.messagesSent).toBeGreaterThanOrEqual(2 * 1024);
    expect(report.flaky).toBeGreaterThan(2);
    expect(report.broken).toBe(2);
    expect(report.injected).toBeGreaterThanOrEqual(report.flaky + 2 * 2);
    expect(report.finishes).toEqual(['FAILED', 'SUCCEEDED']);
    expect(Object.keys(report.products)).toEqual(['result.tif']);
    expect(Buffer.from(report.products['result.tif']).equals(fixture.reference['result.tif'])).toBe(true);
  }, 600_000);
});
