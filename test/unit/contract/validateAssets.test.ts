/**
 * What `eofn validate` and every run check before any work, on inline items as on items by href: the items
 * resolve, every asset the job names exists and opens, each mask class fits the mask asset's data type,
 * and every STAC item has a datetime.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepareJob } from '../../../functions/core/engine/prepareJob.ts';
import { InputError } from '../../../functions/core/errors.ts';
import { registerCoreStorages } from '../../../functions/core/io/registerCoreStorages.ts';
import { ndviJob, SAMPLE_ITEM_IDS, sampleItemPath, SCL_MASK } from '../../helpers/sampleJobs.ts';

registerCoreStorages();

/** A sample item as a partner would inline it: the same JSON with absolute asset hrefs. */
function inlineItem(id = SAMPLE_ITEM_IDS[1]): Record<string, any> {
  const path = sampleItemPath(id);
  const item = JSON.parse(readFileSync(path, 'utf8'));
  for (const asset of Object.values(item.assets) as { href: string }[]) asset.href = resolve(dirname(path), asset.href);
  return item;
}

async function rejection(raw: unknown): Promise<InputError> {
  try { await prepareJob(raw); } catch (e) { expect(e).toBeInstanceOf(InputError); return e as InputError; }
  throw new Error('expected the job to be rejected');
}

describe('validate checks what the job names, inline items included', () => {
  it('accepts inline items whose assets exist', async () => {
    const prepared = await prepareJob(ndviJob({}, [inlineItem(), sampleItemPath(SAMPLE_ITEM_IDS[0])]));
    expect(prepared.inputs.map((i) => i.id)).toEqual([SAMPLE_ITEM_IDS[0], SAMPLE_ITEM_IDS[1]]);
  });

  it('an inline item whose asset file is missing is named with the asset and the cause', async () => {
    const item = inlineItem();
    item.assets.scl.href = '/nowhere/SCL.tif';
    const err = await rejection(ndviJob({}, [item]));
    expect(err.message).toBe(`items[0] (${SAMPLE_ITEM_IDS[1]}) asset "scl" (/nowhere/SCL.tif): file not found`);
  });

  it('an inline item without the asset the expression names lists what it has', async () => {
    const err = await rejection(ndviJob({ expression: '`nir-jp2` - red' }, [inlineItem()]));
    expect(err.message).toMatch(/^items\[0\] \(S2B_33TWM_20230813_0_L2A\): asset "nir-jp2" not found; the item has: /);
  });

  it('an unquoted key with "-" (red-jp2 parses as red minus jp2) gets a hint to quote it', async () => {
    const item = inlineItem();
    item.assets['nir-jp2'] = item.assets.nir;
    const err = await rejection(ndviJob({ expression: '(nir-jp2 - red) / (nir-jp2 + red)' }, [item]));
    expect(err.message).toMatch(/asset "jp2" not found; .*; "nir-jp2" is a key of the item: write it `nir-jp2` \(an unquoted "-" is minus\)$/);
    await expect(prepareJob(ndviJob({ expression: '(`nir-jp2` - red) / (`nir-jp2` + red)' }, [item]))).resolves.toBeDefined();
  });

  it('a mask class the mask asset cannot hold (300 on uint8 SCL) is an error, not a silent no-op', async () => {
    const err = await rejection(ndviJob({ mask: { asset: 'scl', exclude: [3, 300] } }, [inlineItem()]));
    expect(err.message).toMatch(/^params\.mask\.exclude\[1\]: class 300 cannot occur in items\[0\] \(S2B_33TWM_20230813_0_L2A\) asset "scl" \(.*SCL\.tif\), whose data type is uint8$/);
    const negative = await rejection({ op: 'composite', items: [inlineItem()], params: { assets: ['red'], method: 'median', mask: { ...SCL_MASK, exclude: [-1] } }, output: 'o' });
    expect(negative.where).toBe('params.mask.exclude[0]');
  });

  it('a job none of whose items has a date is rejected: its product could not say when it is', async () => {
    const err = await rejection({ op: 'coherence-merge', items: [resolve('test/fixtures/raster/uint8-strips.tif')], params: {}, output: 'o' });
    expect(err.message).toMatch(/^items: none of the 1 item\(s\) has a date: a GeoTIFF needs TIFFTAG_DATETIME/);
  });

  it('a STAC item without datetime is rejected, naming the item', async () => {
    const item = inlineItem();
    delete item.properties.datetime;
    const err = await rejection(ndviJob({}, [item]));
    expect(err.message).toBe('items[0] (S2B_33TWM_20230813_0_L2A): inline item has no properties.datetime (nor start_datetime): a STAC item needs one');
    const ranged = { ...inlineItem(), properties: { datetime: null, start_datetime: '2023-08-13T00:00:00Z', end_datetime: '2023-08-13T23:59:59Z' } };
    await expect(prepareJob(ndviJob({}, [ranged]))).resolves.toBeDefined();
  });
});
