/** What `eofn redrive` prints: what was sent again, by kind, or that nothing had failed. */
import { describe, expect, it } from 'vitest';
import { describeRedrive } from '../../../functions/adapters/shared/cliBackend.ts';

const none = { partitions: 0, tiles: 0, merge: false, submission: false };

describe('describeRedrive', () => {
  it('names each kind of work sent again', () => {
    expect(describeRedrive('j', { ...none, partitions: 2, tiles: 1, merge: true })).toBe('redrove job j: 2 partition(s), 1 tile(s) to plan, its merge');
    expect(describeRedrive('j', { ...none, tiles: 3 })).toBe('redrove job j: 3 tile(s) to plan');
  });

  it('says when the submission went again, and when nothing had failed', () => {
    expect(describeRedrive('j', { ...none, submission: true })).toBe('redrove job j: its submission (the jobs stage plans it again)');
    expect(describeRedrive('j', none)).toBe('redrove job j: nothing had failed or died, nothing sent');
  });
});
