import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { partHref, partStore } from '../../../functions/core/engine/partitions.ts';
import { registerCoreStorages } from '../../../functions/core/io/registerCoreStorages.ts';

describe('partStore', () => {
  registerCoreStorages();
  const owner = { outputHref: mkdtempSync(join(tmpdir(), 'eofn-parts-')), partsKey: 'k1' };
  const bytes = Uint8Array.from({ length: 1000 }, (_, i) => i % 251);
  const href = partHref(owner, 'p0');
  mkdirSync(dirname(href), { recursive: true });
  writeFileSync(href, bytes);

  it('reads a part where runPartition stores it: whole, in ranges, and its size', async () => {
    // Prepare
    const parts = partStore(owner);
    // Act
    const whole = await parts.read('p0');
    const range = await parts.readRange('p0', 990, 64);
    const size = await parts.size('p0');
    // Assess
    expect(Buffer.from(whole).equals(Buffer.from(bytes))).toBe(true);
    expect([...range]).toEqual([...bytes.subarray(990)]);
    expect(size).toBe(1000);
  });

  it('names the missing part', async () => {
    await expect(partStore(owner).size('p9')).rejects.toThrow(/part p9 is missing/);
    await expect(partStore(owner).read('p9')).rejects.toThrow();
  });
});
