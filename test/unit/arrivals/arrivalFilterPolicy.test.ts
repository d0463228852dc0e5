/** The SNS filter policy derived from arrival rules: only keys every rule allows, and never too narrow. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { arrivalFilterPolicy, mgrsZoneBox } from '../../../functions/core/arrivals/arrivalFilterPolicy.ts';
import { ArrivalRulesSchema } from '../../../functions/core/arrivals/arrivalRules.ts';
import { SAMPLE_ITEM_IDS, sampleItemPath } from '../../helpers/sampleJobs.ts';

const job = { op: 'tile-reduce', params: {}, output: 'o' };
const rules = (r: object[]) => ArrivalRulesSchema.parse(r.map((x, i) => ({ name: `r${i}`, job, ...x })));

/** The numeric conditions of a key, evaluated as SNS does. */
function passes(policy: any, key: string, value: number): boolean {
  const [[, lo, , hi]] = policy[key].map((c: { numeric: [string, number, string, number] }) => c.numeric);
  return value >= lo && value <= hi;
}

describe('arrivalFilterPolicy', () => {
  it('filters nothing without rules, and leaves out what one rule does not restrict', () => {
    expect(arrivalFilterPolicy([])).toBeUndefined();
    const policy = arrivalFilterPolicy(rules([{ collection: 'sentinel-2-c1-l2a', maxCloudCover: 20, tiles: ['33TWM'] }, { tiles: ['33TVM'] }]));
    expect(Object.keys(policy!).sort()).toEqual(['bbox.ll_lat', 'bbox.ll_lon', 'status']);
  });

  it('lets every sample item of tile 33TWM through a 33TWM rule, by its real bbox', () => {
    const policy = arrivalFilterPolicy(rules([{ tiles: ['33TWM'] }]));
    for (const id of SAMPLE_ITEM_IDS) {
      const [w, s] = JSON.parse(readFileSync(sampleItemPath(id), 'utf8')).bbox;
      expect(passes(policy, 'bbox.ll_lon', w) && passes(policy, 'bbox.ll_lat', s)).toBe(true);
    }
    expect(passes(policy, 'bbox.ll_lon', -59.4)).toBe(false);
  });

  it('maps an MGRS tile to its grid zone (UTM zone × latitude band), padded', () => {
    expect(mgrsZoneBox('33TWM')).toEqual([11, 39.5, 19, 48.5]);
    expect(mgrsZoneBox('01CAA')).toEqual([-180, -80.5, -173, -71.5]);
    expect(mgrsZoneBox('35XMA')).toEqual([23, 71.5, 31, 84.5]);
    expect(mgrsZoneBox('61TWM')).toBeUndefined();
  });
});
