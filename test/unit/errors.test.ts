/**
 * The error model (issue 13.3): one base with `permanent` and `cause`, one `isPermanent`, a failure that
 * keeps its kind across a worker thread, and a relocated error that keeps its kind in the core's ops.
 */
import { describe, expect, it } from 'vitest';
import {
  BadJp2Error, BadTiffError, describeFailure, EofnError, InputError, InvalidJobError, IoError, isPermanent, relocate, UsageError,
} from '../../functions/core/errors.ts';
import { NotInPlanError } from '../../functions/core/engine/plannedPartition.ts';
import { JobTooLargeError } from '../../functions/core/plan/jobLimits.ts';
import { HttpTimeoutError } from '../../functions/core/io/readBounded.ts';
import { registerStorage, type Storage } from '../../functions/core/io/storage.ts';
import { coherenceMerge, type CoherenceMergeSetup } from '../../functions/core/ops/coherence-merge/coherenceMerge.ts';

describe('isPermanent', () => {
  it('is true for bad input of every kind and false for I/O, timeouts and errors eofn did not raise', () => {
    // Prepare
    const bad = [
      new InputError('items[0]', 'no such asset'), new BadTiffError('a.tif', 'truncated'), new BadJp2Error('a.jp2', 'no codestream'),
      new InvalidJobError(['op: required']), new UsageError('--workers 0'), new NotInPlanError('job', 'p1'),
      new JobTooLargeError('12,000 partitions, more than 10,000', 'maxPartitions'),
    ];
    const passing = [new IoError('s3://b/k', 'SlowDown'), new HttpTimeoutError('no response within 15000 ms'), new Error('ECONNRESET'), 'a string', undefined];
    // Act + Assess
    for (const e of bad) expect([e.name, isPermanent(e)]).toEqual([e.name, true]);
    for (const e of passing) expect(isPermanent(e)).toBe(false);
    expect(new InputError('x', 'y')).toBeInstanceOf(EofnError);
  });

  it('keeps the cause it was given', () => {
    // Prepare
    const cause = new Error('getaddrinfo ENOTFOUND example.com');
    // Act
    const e = new IoError('https://example.com/a.tif', 'request failed', { cause });
    // Assess
    expect(e.cause).toBe(cause);
    expect(e).toMatchObject({ where: 'https://example.com/a.tif', detail: 'request failed', permanent: false });
  });
});

describe('describeFailure', () => {
  it('is plain data that keeps the kind across a structured clone (a worker thread)', () => {
    // Act
    const permanent = structuredClone(describeFailure(new BadTiffError('a.tif', 'truncated')));
    const transient = structuredClone(describeFailure(new IoError('a.tif', 'HTTP 503')));
    // Assess
    expect(permanent).toEqual({ error: 'a.tif: truncated', permanent: true });
    expect(transient).toEqual({ error: 'a.tif: HTTP 503', permanent: false });
  });
});

describe('relocate', () => {
  it('names the place in the job and keeps the kind: bad input stays permanent, an outage stays retryable', () => {
    // Act
    const input = relocate(new BadTiffError('/x/B04.tif', 'truncated tile 3'), 'items[0] asset "red"');
    const io = relocate(new IoError('/x/B04.tif', 'request failed after 3 attempts: HTTP 503'), 'items[0] asset "red"');
    const plain = relocate(new Error('socket hang up'), 'items[0] asset "red"');
    // Assess
    expect(input).toBeInstanceOf(InputError);
    expect(input.message).toBe('items[0] asset "red": truncated tile 3');
    expect(io).toBeInstanceOf(IoError);
    expect(io.message).toBe('items[0] asset "red": request failed after 3 attempts: HTTP 503');
    expect(isPermanent(plain)).toBe(false);
  });

  it('coherence-merge: a read that fails in a partition stays retryable, named by item and asset', async () => {
    // Prepare: a storage whose every read fails as a network does
    const down: Storage = {
      readRange: async () => { throw new Error('read ECONNRESET'); },
      readAll: async () => { throw new Error('read ECONNRESET'); },
      size: async () => 1000, write: async () => undefined, writeFile: async () => undefined, list: async () => [], removeAll: async () => undefined, remove: async () => undefined,
    };
    registerStorage('down', down);
    const setup: CoherenceMergeSetup = {
      grid: { crs: 'EPSG:32614', width: 4, height: 4, originX: 480000, originY: 2150000, resX: 150, resY: -150 },
      asset: 'data', method: 'mean', resampling: 'nearest', skipped: [], blockSize: 512,
      items: [{
        id: 'a', index: 0, datetime: null, href: 'down://bucket/a.tif', sourcePixelsPerPixel: 1, sourceBytesPerSample: 4,
        asset: { key: 'data', matchedBy: 'key', scale: 1, offset: 0, source: 'none' } as CoherenceMergeSetup['items'][number]['asset'],
      }],
    };
    // Act
    const e = await coherenceMerge.runPartition(setup, { id: 'p', window: { x: 0, y: 0, width: 4, height: 4 }, estimatedPeakBytes: 1 }).then(() => undefined, (err: unknown) => err);
    // Assess
    expect(e).toBeInstanceOf(IoError);
    expect((e as Error).message).toMatch(/^items\[0\] \(a\) asset "data" \(down:\/\/bucket\/a\.tif\): .*ECONNRESET/);
  });
});
