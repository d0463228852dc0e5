/** The README's "Data sources" jobs stay valid jobs, one per source, all with the same red/nir/scl names. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateJob } from '../../../functions/core/contract/validateJob.ts';

const readme = readFileSync('README.md', 'utf8');
const section = readme.slice(readme.indexOf('## Data sources'), readme.indexOf('\n## ', readme.indexOf('## Data sources') + 1));
const block = /```jsonc\n([\s\S]*?)```/.exec(section)![1];
// One job per paragraph of the block, each introduced by its // comment lines.
const jobs = block.split(/\n\s*\n/).map((part) => JSON.parse(part.split('\n').filter((l) => !l.trim().startsWith('//')).join('\n')));

describe('README "Data sources"', () => {
  it('shows a job for Earth Search C1, legacy, Copernicus Data Space and your own STAC, each valid', () => {
    expect(jobs.map((j) => String(j.items[0]).split('/')[2])).toEqual([
      'earth-search.aws.element84.com', 'earth-search.aws.element84.com', 'stac.dataspace.copernicus.eu', 'my-bucket',
    ]);
    for (const job of jobs) expect(() => validateJob(job)).not.toThrow();
  });

  it('uses the same asset names on every archive', () => {
    const ndvi = jobs.filter((j) => j.op === 'tile-reduce');
    expect(ndvi).toHaveLength(3);
    expect(new Set(ndvi.map((j) => JSON.stringify(j.params))).size).toBe(1);
  });
});
