/** docs/data-sources.md stays true: its job files validate, its snippets are what the code makes. */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ArrivalRulesSchema } from '../../../functions/core/arrivals/arrivalRules.ts';
import { arrivalFilterPolicy } from '../../../functions/core/arrivals/arrivalFilterPolicy.ts';
import { validateJob } from '../../../functions/core/spec/validateJob.ts';
import { loadProviderConfig } from '../../../infra/providerConfig.ts';

const doc = readFileSync('docs/data-sources.md', 'utf8');
const jsonBlocks = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1].trim().startsWith('"items"') ? `{${m[1]}}` : m[1]));

describe('docs/data-sources.md', () => {
  it.each(readdirSync('docs/jobs').filter((f) => f.endsWith('.json')))('links and validates docs/jobs/%s', (file) => {
    expect(doc).toContain(`(jobs/${file})`);
    const job = validateJob(JSON.parse(readFileSync(`docs/jobs/${file}`, 'utf8')));
    expect(job.items).toHaveProperty('search.url');
  });

  it('shows the filter policy the aws-us-west-2 stack deploys, and a rule example that parses', () => {
    const policy = jsonBlocks.find((b) => 'bbox.ll_lon' in b);
    expect(policy).toEqual(arrivalFilterPolicy(loadProviderConfig('aws-us-west-2').arrivalRules));
    const rule = jsonBlocks.find((b) => b.name === 'composite-30d');
    expect(ArrivalRulesSchema.safeParse([rule]).success).toBe(true);
    const example = jsonBlocks.find((b) => 'items' in b);
    expect(validateJob({ op: 'tile-reduce', params: { expression: 'nir', reducer: 'max' }, output: 'o', ...example }).items).toEqual(example.items);
  });
});
