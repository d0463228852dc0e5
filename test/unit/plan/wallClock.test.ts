/** wallClockSeconds: partitions on the first free slot in plan order, a job's merge after its last partition. */
import { describe, expect, it } from 'vitest';
import { wallClockSeconds } from '../../../functions/core/plan/wallClock.ts';

describe('wallClockSeconds', () => {
  it('runs partitions side by side up to the slots, then the merge', () => {
    // 3 × 60 s on 2 slots: 60 + 60, then a 10 s merge.
    expect(wallClockSeconds([{ partitionSeconds: [60, 60, 60], mergeSeconds: 10 }], { partitions: 2, merges: 1 })).toBe(130);
    // One slot: everything in a row.
    expect(wallClockSeconds([{ partitionSeconds: [60, 60, 60], mergeSeconds: 10 }], { partitions: 1, merges: 1 })).toBe(190);
  });

  it('overlaps one job\'s merge with the next job\'s partitions, and queues merges on their slots', () => {
    const jobs = [{ partitionSeconds: [10], mergeSeconds: 100 }, { partitionSeconds: [10], mergeSeconds: 100 }, { partitionSeconds: [10], mergeSeconds: 100 }];
    // Partitions end at 10, 10, 20 on 2 slots; one merge slot: 10-110, 110-210, 210-310.
    expect(wallClockSeconds(jobs, { partitions: 2, merges: 1 })).toBe(310);
    // Two merge slots: 10-110, 10-110, 110-210.
    expect(wallClockSeconds(jobs, { partitions: 2, merges: 2 })).toBe(210);
  });

  it('refuses zero slots', () => {
    expect(() => wallClockSeconds([], { partitions: 0, merges: 1 })).toThrow(/at least 1/);
  });
});
