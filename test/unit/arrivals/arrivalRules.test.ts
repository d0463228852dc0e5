import { describe, expect, it } from 'vitest';
import { ArrivalRulesSchema, jobsForArrival, tileOf } from '../../../functions/core/arrivals/arrivalRules.ts';
import { validateJob } from '../../../functions/core/contract/validateJob.ts';

const rules = ArrivalRulesSchema.parse([
  { name: 'ndvi-slovenia', collection: 'sentinel-2-l2a', tiles: ['33TWM', '33TVM'], maxCloudCover: 60,
    job: { op: 'tile-reduce', params: { expression: '(nir - red) / (nir + red)', reducer: 'first' }, output: 's3://results/ndvi/{tile}/{date}' } },
  { name: 'everything', job: { op: 'tile-reduce', params: { expression: 'nir', reducer: 'max' }, output: 's3://results/all/{item}' } },
]);

const item = (id: string, props: Record<string, unknown>, collection = 'sentinel-2-l2a') => ({ id, collection, properties: props });

describe('arrival rules', () => {
  it('starts one job per matching rule with a deterministic id and a filled output', () => {
    const jobs = jobsForArrival({ href: 's3://src/S2B_33TWM_20230810_0_L2A.json',
      item: item('S2B_33TWM_20230810_0_L2A', { datetime: '2023-08-10T10:00:00Z', 'eo:cloud_cover': 12, 's2:mgrs_tile': '33TWM' }) }, rules);
    expect(jobs.map((j) => j.id)).toEqual(['ndvi-slovenia-S2B_33TWM_20230810_0_L2A', 'everything-S2B_33TWM_20230810_0_L2A']);
    expect(jobs[0].output).toBe('s3://results/ndvi/33TWM/2023-08-10');
    expect(jobs[0].items).toEqual(['s3://src/S2B_33TWM_20230810_0_L2A.json']);
  });

  it('skips cloudy scenes, other tiles and other collections', () => {
    const cloudy = jobsForArrival({ item: item('S2B_33TWM_x', { 'eo:cloud_cover': 70, 's2:mgrs_tile': '33TWM' }) }, rules);
    const elsewhere = jobsForArrival({ item: item('S2B_31TCJ_x', { 'eo:cloud_cover': 1 }) }, rules);
    const s1 = jobsForArrival({ item: item('S1A_x', {}, 'sentinel-1-grd') }, rules);
    for (const jobs of [cloudy, elsewhere, s1]) expect(jobs.map((j) => j.id)).toEqual([expect.stringMatching(/^everything-/)]);
  });

  it('finds the MGRS tile from properties or the id', () => {
    expect(tileOf('x', { 'grid:code': 'MGRS-33TWM' })).toBe('33TWM');
    expect(tileOf('x', { 'mgrs:utm_zone': 33, 'mgrs:latitude_band': 'T', 'mgrs:grid_square': 'WM' })).toBe('33TWM');
    expect(tileOf('S2A_MSIL2A_20230815T100031_N0509_R122_T33TWM_20230815T142433', {})).toBe('33TWM');
    expect(tileOf('something', {})).toBeUndefined();
  });

  it('rejects a rule with a bad name, by path', () => {
    const r = ArrivalRulesSchema.safeParse([{ name: 'Bad Name', job: { op: 'x', params: {}, output: 'o' } }]);
    expect(r.success).toBe(false);
    expect(r.error!.issues[0].path).toEqual([0, 'name']);
  });

  it('fills a search template: the job searches the tile\'s last 30 days when it is prepared', () => {
    // Prepare
    const [rule] = ArrivalRulesSchema.parse([{ name: 'composite-30d', collection: 'sentinel-2-c1-l2a',
      job: { op: 'composite', params: { assets: ['red', 'green', 'blue'], method: 'median' }, output: 's3://results/{rule}/{tile}/{date}',
        items: { search: { url: 'https://earth-search.aws.element84.com/v1', collections: ['{collection}'], datetime: '{date-30d}T00:00:00Z/{date}T23:59:59Z',
          query: { 'grid:code': { eq: 'MGRS-{tile}' } }, maxItems: 40 } } } }]);
    // Act
    const [job] = jobsForArrival({ item: item('S2B_T33TWM_20230810T100559_L2A', { datetime: '2023-08-10T10:05:59Z', 'grid:code': 'MGRS-33TWM' }, 'sentinel-2-c1-l2a') }, [rule]);
    // Assess
    expect(job.items).toEqual({ search: { url: 'https://earth-search.aws.element84.com/v1', collections: ['sentinel-2-c1-l2a'],
      datetime: '2023-07-11T00:00:00Z/2023-08-10T23:59:59Z', query: { 'grid:code': { eq: 'MGRS-33TWM' } }, maxItems: 40 } });
    expect(validateJob(job).items).toEqual(job.items);
  });

  it('skips items whose bbox misses the rule\'s bbox', () => {
    const [rule] = ArrivalRulesSchema.parse([{ name: 'alps', bbox: [9, 46, 11, 48], job: { op: 'tile-reduce', params: {}, output: 'o' } }]);
    const at = (bbox: number[]) => jobsForArrival({ item: { ...item('x', {}), bbox } }, [rule]).length;
    expect([at([10.5, 47.5, 12, 49]), at([11.5, 47, 13, 48]), at([8, 45, 8.9, 45.9]), at([178, 50, -178, 51])]).toEqual([1, 0, 0, 1]);
  });
});
