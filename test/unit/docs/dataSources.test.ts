/** docs/data-sources.md stays true: its job files validate, its snippets are what the code makes. */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ArrivalRulesSchema } from '../../../functions/core/arrivals/arrivalRules.ts';
import { arrivalFilterPolicy } from '../../../functions/core/arrivals/arrivalFilterPolicy.ts';
import { validateJob } from '../../../functions/core/contract/validateJob.ts';
import { loadProviderConfig } from '../../../infra/providerConfig.ts';

const doc = readFileSync('docs/data-sources.md', 'utf8');
// Fragments (`"items": …`, `"eofn:radiometry": …`) are read as the members of an object.
const jsonBlocks = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1].trim().startsWith('"') ? `{${m[1]}}` : m[1]));

describe('docs/data-sources.md', () => {
  it.each(readdirSync('docs/jobs').filter((f) => f.endsWith('.json')))('links and validates docs/jobs/%s', (file) => {
    expect(doc).toContain(`(jobs/${file})`);
    const job = validateJob(JSON.parse(readFileSync(`docs/jobs/${file}`, 'utf8')));
    expect(job.items).toHaveProperty('search.url');
  });

  it('eofn validate accepts a search job without sending the search', () => {
    const r = spawnSync(resolve('node_modules/.bin/node'), [resolve('bin/eofn.js'), 'validate', 'docs/jobs/cdse-ndvi.json'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^valid: tile-reduce job tile-reduce-[0-9a-f]{16} \(items: a search of https:\/\/stac\.dataspace\.copernicus\.eu\/v1, sent when the job is planned or run\)\n$/);
  });

  it('shows the filter policy the aws-us-west-2 stack deploys, and a rule example that parses', () => {
    const policy = jsonBlocks.find((b) => 'bbox.ll_lon' in b);
    expect(policy).toEqual(arrivalFilterPolicy(loadProviderConfig('aws-us-west-2').arrivalRules));
    const rule = jsonBlocks.find((b) => b.name === 'composite-30d');
    expect(ArrivalRulesSchema.safeParse([rule]).success).toBe(true);
    const example = jsonBlocks.find((b) => 'items' in b);
    expect(validateJob({ op: 'tile-reduce', params: { expression: 'nir', reducer: 'max' }, output: 'o', ...example }).items).toEqual(example.items);
  });

  it('README\'s search examples are valid items of a job', () => {
    // Prepare: the jsonc block of search fragments, one per blank-line-separated paragraph, comments dropped.
    const readme = readFileSync('README.md', 'utf8');
    const block = [...readme.matchAll(/```jsonc\n([\s\S]*?)```/g)].map((m) => m[1]).find((b) => b.includes('"search"'))!;
    const fragments = block.split(/\n\s*\n/).map((p) => p.split('\n').filter((l) => !l.trim().startsWith('//')).join('\n'));
    // Act / Assess
    expect(fragments).toHaveLength(3);
    for (const f of fragments) {
      const items = JSON.parse(`{${f}}`).items;
      expect(validateJob({ op: 'tile-reduce', params: { expression: 'nir', reducer: 'max' }, output: 'o', items }).items).toEqual(items);
    }
  });
});
