/**
 * Benchmark inputs made with GDAL into `.bench/` (gitignored): full-size 10980 x 10980 Sentinel-2 bands as
 * the public sentinel-cogs bucket publishes them (DEFLATE, 1024 px blocks, overviews), upsampled from the
 * real 33TWM bands (../shared/data when present, or $EOFN_SHARED_DATA for a git worktree placed elsewhere; else
 * the repo's sample crop), and SCL at 20 m (5490 px).
 *
 * @example
 * const { red, nir, scl, item } = ensureSentinelTile();
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const BENCH_DIR = join(ROOT, '.bench');
const DATE = 'S2B_33TWM_20230813_0_L2A';
export const SHARED_DATA = process.env.EOFN_SHARED_DATA ?? resolve(ROOT, '../shared/data');
const SHARED = join(SHARED_DATA, 's2-l2a-33TWM', DATE);
const SAMPLE = join(ROOT, 'sample-data/s2-l2a-33TWM', DATE);

function source(band: string): string {
  const shared = join(SHARED, `${band}.tif`);
  return existsSync(shared) ? shared : join(SAMPLE, `${band}.tif`);
}

function translate(src: string, dst: string, size: number, resampling: string): void {
  if (existsSync(dst)) return;
  mkdirSync(dirname(dst), { recursive: true });
  execFileSync('gdal_translate', ['-q', '-oo', 'OVERVIEW_LEVEL=NONE', '-r', resampling, '-outsize', String(size), String(size),
    '-of', 'COG', '-co', 'COMPRESS=DEFLATE', '-co', 'BLOCKSIZE=1024', '-co', 'OVERVIEWS=AUTO', src, `${dst}.tmp.tif`]);
  execFileSync('mv', [`${dst}.tmp.tif`, dst]);
}

export function ensureSentinelTile(): { red: string; nir: string; scl: string; item: string } {
  const red = join(BENCH_DIR, 'tile', 'B04.tif');
  const nir = join(BENCH_DIR, 'tile', 'B08.tif');
  const scl = join(BENCH_DIR, 'tile', 'SCL.tif');
  translate(source('B04'), red, 10980, 'bilinear');
  translate(source('B08'), nir, 10980, 'bilinear');
  translate(source('SCL'), scl, 5490, 'nearest');
  const item = join(BENCH_DIR, 'tile', `${DATE}.json`);
  writeFileSync(item, JSON.stringify({
    type: 'Feature', stac_version: '1.1.0', id: DATE, geometry: null,
    properties: { datetime: '2023-08-13T10:06:59Z' },
    assets: { red: { href: './B04.tif' }, nir: { href: './B08.tif' }, scl: { href: './SCL.tif' } },
  }, null, 2));
  return { red, nir, scl, item };
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
