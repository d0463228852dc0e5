/**
 * Outputs that cannot be turned against their readers (issue 10): CSV cells that a spreadsheet would run as
 * formulas are neutralised, item metadata fills one path segment of an arrival rule's output and never
 * climbs out of it, and local writes never go through a folder that is a symbolic link.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArrivalRulesSchema, jobsForArrival, segment } from '../../../functions/core/arrivals/arrivalRules.ts';
import { FileStorage } from '../../../functions/core/io/fileStorage.ts';
import { openCsvTableWriter } from '../../../functions/core/table/csvTableWriter.ts';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eofn-outputs-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('outputs', () => {
  it('neutralises CSV cells starting with = + - @ tab or carriage return, and leaves numbers alone', async () => {
    // Prepare
    const path = join(dir, 'stats.csv');
    const w = await openCsvTableWriter(path, [{ name: 'parcel_id', type: 'string', nullable: false }, { name: 'mean', type: 'double', nullable: true }]);
    // Act
    await w.append([["=cmd|' /C calc'!A0", '+1', '-2', '@SUM(A1)', '\tx', '\rx', 'plain', 'a"b'], [1, -0.5, 2, 3, 4, 5, 6, 7]]);
    await w.close();
    // Assess
    expect((await readFile(path, 'utf8')).split('\n')).toEqual([
      'parcel_id,mean', `"'=cmd|' /C calc'!A0",1`, `"'+1",-0.5`, `"'-2",2`, `"'@SUM(A1)",3`, `"'\tx",4`, `"'\rx",5`, 'plain,6', '"a""b",7', '',
    ]);
  });

  it('fills an arrival rule\'s output with item values one segment each, never ../', () => {
    // Prepare
    const rules = ArrivalRulesSchema.parse([{ name: 'all', job: { op: 'tile-reduce', params: { expression: 'nir', reducer: 'max' }, output: 's3://results/products/{item}/{date}' } }]);
    // Act
    const [job] = jobsForArrival({ item: { id: '../../../victim/output', properties: { datetime: '2023-08-10T10:00:00Z' } } }, rules);
    // Assess
    expect(job.output).toBe('s3://results/products/---..-..-victim-output/2023-08-10');
    expect(segment('..')).toBe('--');
    expect(segment('')).toBe('');
    expect(segment('S2B_33TWM_20230810_0_L2A')).toBe('S2B_33TWM_20230810_0_L2A');
  });

  it('refuses to write through a folder that is a symbolic link (_parts -> elsewhere)', async () => {
    // Prepare
    const out = join(dir, 'out');
    const elsewhere = join(dir, 'elsewhere');
    await mkdir(out);
    await mkdir(elsewhere);
    await symlink(elsewhere, join(out, '_parts'));
    // Act
    const e = await new FileStorage().write(join(out, '_parts', 'r0.part'), new Uint8Array([1])).then(() => undefined, (err: Error) => err);
    // Assess
    expect(e?.message).toMatch(/_parts is a symbolic link; eofn does not write through links/);
    expect(await readdir(elsewhere)).toEqual([]);
  });
});
