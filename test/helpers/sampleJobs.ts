/**
 * Jobs over the sample data shipped in `sample-data/`, for tests: the demo job with other params, and
 * temporary output folders that tests clean up.
 *
 * @example
 * const job = ndviJob({ reducer: 'mean' });
 * const out = await tempOutput('ndvi');
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fromArrayBuffer } from 'geotiff';

export const DEMO_JOB_PATH = resolve('sample-data/jobs/ndvi-demo.json');
export const SAMPLE_ITEMS_DIR = resolve('sample-data/s2-l2a-33TWM');

export const SAMPLE_ITEM_IDS = [
  'S2B_33TWM_20230810_0_L2A', 'S2B_33TWM_20230813_0_L2A', 'S2A_33TWM_20230815_0_L2A',
  'S2A_33TWM_20230818_0_L2A', 'S2B_33TWM_20230820_0_L2A',
];

export function sampleItemPath(id: string): string {
  return join(SAMPLE_ITEMS_DIR, id, `${id}.json`);
}

export const SCL_MASK = { asset: 'scl', exclude: [0, 1, 3, 8, 9, 10] };

export function ndviJob(params: Record<string, unknown> = {}, items: unknown[] = SAMPLE_ITEM_IDS.map(sampleItemPath)): Record<string, unknown> {
  return {
    op: 'tile-reduce',
    items,
    params: { expression: '(nir - red) / (nir + red)', reducer: 'median', mask: SCL_MASK, ...params },
    output: 'unused',
  };
}

export function tempOutput(name: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `eofn-test-${name}-`)).then((dir) => join(dir, 'out'));
}

/** Band 0 of a GeoTIFF as float32, read with geotiff.js: an implementation independent of ours. */
export async function readTiffBand(path: string, band = 0): Promise<{ data: Float32Array; width: number; height: number }> {
  const bytes = await readFile(path);
  const tiff = await fromArrayBuffer(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const image = await tiff.getImage();
  const [data] = (await image.readRasters({ samples: [band] })) as unknown as ArrayLike<number>[];
  return { data: Float32Array.from(data), width: image.getWidth(), height: image.getHeight() };
}

/** Largest difference between two rasters, and where their NaNs disagree. */
export function compareRasters(actual: Float32Array, expected: Float32Array): { maxRelDiff: number; nanMismatch: number; valid: number } {
  let maxRelDiff = 0, nanMismatch = 0, valid = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], e = expected[i];
    if (Number.isNaN(a) || Number.isNaN(e)) {
      if (Number.isNaN(a) !== Number.isNaN(e)) nanMismatch++;
      continue;
    }
    valid++;
    maxRelDiff = Math.max(maxRelDiff, Math.abs(a - e) / Math.max(1, Math.abs(e)));
  }
  return { maxRelDiff, nanMismatch, valid };
}
