import { describe, expect, it } from 'vitest';
import { createProgress } from '../../../functions/adapters/local/progress.ts';
import { formatStatus } from '../../../functions/adapters/local/formatStatus.ts';

function fakeStream(isTTY: boolean) {
  const chunks: string[] = [];
  return { stream: { isTTY, write: (s: string) => { chunks.push(s); return true; } } as unknown as NodeJS.WriteStream, text: () => chunks.join('') };
}

describe('progress', () => {
  it('redraws one bar in place on a terminal, and keeps failures on their own lines', () => {
    const { stream, text } = fakeStream(true);
    const p = createProgress(4, stream);
    p.done('a'); p.done('b'); p.failed('c', 'bad tile'); p.finish();
    expect(text()).toMatch(/\r\[#{15}\.{15}\] 2\/4 partitions/);
    expect(text()).toContain('partition c FAILED: bad tile\n');
    expect(text()).toMatch(/\[#{23}\.{7}\] 3\/4 partitions, 1 failed/);
    expect(text().endsWith('\n')).toBe(true);
  });

  it('writes plain lines when not on a terminal (CI logs, pipes)', () => {
    const { stream, text } = fakeStream(false);
    const p = createProgress(2, stream);
    p.done('a'); p.retry('b', 1, 'ECONNRESET'); p.done('b'); p.finish();
    expect(text()).toBe('partition a done (1/2)\npartition b attempt 1 failed, retrying: ECONNRESET\npartition b done (2/2)\n');
    expect(text()).not.toContain('\r');
  });

  it('status shows a bar on a terminal and every dead partition with its error', () => {
    const view = {
      id: 'j', op: 'tile-reduce', status: 'FAILED' as const, total: 4, done: 3, failed: 1, output: 's3://b/out',
      partitions: [{ id: 'p1', status: 'DEAD' as const, attempts: 3, error: 'truncated tile 7' }],
      errors: [],
    };
    expect(formatStatus(view, true)).toContain('[#######################.......] 3/4 partitions done, 1 failed');
    expect(formatStatus(view, false)).toContain('  3/4 partitions done, 1 failed');
    expect(formatStatus(view)).toContain('dead p1 after 3 attempt(s): truncated tile 7');
  });
});
