/**
 * The prepared job crosses processes as `_eofn/prepared.json`; what a partition or finalize reads back must
 * equal what the jobs stage prepared, NaN nodata included (JSON.stringify wrote null: composite on Lambda
 * declared nodata 0).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPrepared, planJob, prepareJob, readJobFile, storePrepared } from '../../../functions/core/engine/index.ts';
import { fromExactJson, toExactJson } from '../../../functions/core/engine/exactJson.ts';
import { registerLocalStorages } from '../../../functions/adapters/local/registerLocalStorages.ts';

const dirs: string[] = [];
afterAll(async () => { for (const d of dirs) await rm(d, { recursive: true, force: true }); });

describe('exact JSON', () => {
  it('round-trips NaN, ±Infinity, -0 and nesting exactly', () => {
    // Prepare
    const value = { nodata: NaN, range: [-Infinity, Infinity], deep: { a: [{ b: NaN }] }, s: 'NaN', n: null, z: -0, skip: undefined };

    // Act
    const back = fromExactJson<typeof value>(toExactJson(value));

    // Assess
    expect(back.nodata).toBeNaN();
    expect(back.range).toEqual([-Infinity, Infinity]);
    expect(back.deep.a[0].b).toBeNaN();
    expect(back.s).toBe('NaN');
    expect(back.n).toBeNull();
    expect('skip' in back).toBe(false);
    expect(JSON.parse(toExactJson({ x: 1.5 }))).toEqual({ x: 1.5 }); // finite values stay plain JSON
  });

  it('refuses what it cannot carry exactly, naming where it is', () => {
    expect(() => toExactJson({ setup: { bands: new Float32Array(2) } })).toThrow(/\$\.setup\.bands: a Float32Array object/);
    expect(() => toExactJson({ a: [1, undefined] })).toThrow(/\$\.a\[1\]: undefined/);
    expect(() => toExactJson({ big: 1n })).toThrow(/\$\.big: a bigint/);
    expect(() => toExactJson({ '$eofn:number': 'x' })).toThrow(/reserved/);
  });

  it('stores a composite job so that the loaded setup still has nodata NaN', async () => {
    // Prepare
    registerLocalStorages();
    const dir = await mkdtemp(join(tmpdir(), 'eofn-exact-'));
    dirs.push(dir);
    const { raw, base } = await readJobFile(resolve('sample-data/jobs/composite-demo.json'));
    const prepared = await prepareJob({ ...(raw as object), output: join(dir, 'out') }, base);
    const plan = planJob(prepared, { memoryMb: 512 });
    expect((prepared.setup as { nodata: number }).nodata).toBeNaN();

    // Act
    const ref = await storePrepared(prepared, plan);
    const stored = await loadPrepared(ref.href, ref.digest);

    // Assess
    expect((stored.prepared.setup as { nodata: number }).nodata).toBeNaN();
    expect(stored).toEqual({ prepared, plan });
  });
});
