import { describe, expect, it } from 'vitest';
import { InvalidJobError } from '../../../functions/core/errors.ts';
import { validateJob, defaultJobId } from '../../../functions/core/contract/validateJob.ts';
import { jobJsonSchema } from '../../../functions/core/contract/jobSchema.ts';

const good = {
  op: 'tile-reduce',
  items: ['a.json', { type: 'Feature', id: 'x', properties: { datetime: '2023-08-10T10:00:00Z' }, assets: { red: { href: 'r.tif' } } }],
  params: { expression: '(nir - red) / (nir + red)', reducer: 'mean', mask: { asset: 'scl', exclude: [3, 8, 9] } },
  output: 'out/ndvi',
};

function problemsOf(raw: unknown): string[] {
  try { validateJob(raw); } catch (e) { expect(e).toBeInstanceOf(InvalidJobError); return (e as InvalidJobError).problems; }
  throw new Error('expected the job to be rejected');
}

describe('job validation', () => {
  it('accepts the documented example and gives it a content hash id', () => {
    const job = validateJob(good);
    expect(job.id).toMatch(/^tile-reduce-[0-9a-f]{16}$/);
  });

  it('gives the same id whatever the key order, and another id for other content', () => {
    const reordered = { output: good.output, params: { reducer: 'mean', mask: good.params.mask, expression: good.params.expression }, items: good.items, op: 'tile-reduce' };
    expect(validateJob(reordered).id).toBe(validateJob(good).id);
    expect(defaultJobId({ ...good, output: 'elsewhere' } as never)).not.toBe(validateJob(good).id);
  });

  it('keeps an explicit id', () => {
    expect(validateJob({ ...good, id: 'ndvi-33TWM-2023-08' }).id).toBe('ndvi-33TWM-2023-08');
  });

  it('lists every problem by its JSON path', () => {
    const problems = problemsOf({ ...good, items: [], params: { expression: '(nir - red', reducer: 'avg', mask: { asset: 'scl' } }, output: '' });
    expect(problems).toEqual(expect.arrayContaining([
      'items: expected at least one item',
      expect.stringMatching(/^output: /),
      expect.stringMatching(/^params\.reducer: .*expected one of "mean"/),
      expect.stringMatching(/^params\.mask\.exclude: /),
      'params.expression: expected ")" at end of expression',
    ]));
  });

  it('names an unknown op and the known ones', () => {
    expect(problemsOf({ ...good, op: 'ndvi' })).toEqual([expect.stringMatching(/^op: expected one of tile-reduce(, [a-z-]+)*, got "ndvi"$/)]);
  });

  it('points into an inline item', () => {
    const problems = problemsOf({ ...good, items: [{ type: 'Feature', id: 'x', properties: {} }] });
    expect(problems).toEqual(['items[0].assets: Invalid input: expected record, received undefined']);
  });

  it('rejects unknown params and a job that is not an object', () => {
    expect(problemsOf({ ...good, params: { ...good.params, colour: 'red' } })).toEqual(['params: Unrecognized key: "colour"']);
    expect(problemsOf('hello')[0]).toMatch(/^\(job\): /);
  });

  it('rejects JSON nested deeper than 64 levels by path, before anything recursive overflows the stack', () => {
    // Prepare: 20,000 nested arrays in an inline item's property (JSON.parse takes it; recursion would not)
    const deep = JSON.parse(`${'['.repeat(20_000)}${']'.repeat(20_000)}`);
    const job = { ...good, items: [{ ...(good.items[1] as object), properties: { datetime: '2023-08-10T10:00:00Z', x: deep } }] };
    // Act / Assess
    expect(problemsOf(job)).toEqual([expect.stringMatching(/^items\[0\]\.properties\.x\[0\]\[0\].*…: nested deeper than 64 levels$/)]);
    expect(() => validateJob({ ...good, params: { ...good.params, mask: { asset: 'scl', exclude: [[[[1]]]] } } })).toThrow(InvalidJobError);
  });

  it('publishes a JSON Schema with one branch per op', () => {
    const schema = jobJsonSchema() as { oneOf: { properties: { op: { const: string } } }[] };
    expect(schema.oneOf.map((b) => b.properties.op.const)).toContain('tile-reduce');
  });

  it('accepts a STAC API search as the items, and lists what is wrong inside one', () => {
    // Prepare
    const search = { url: 'https://earth-search.aws.element84.com/v1', collections: ['sentinel-2-c1-l2a'], bbox: [14.9, 46.0, 15.1, 46.2],
      datetime: '2024-06-01T00:00:00Z/2024-06-30T23:59:59Z', filter: { op: '<=', args: [{ property: 'eo:cloud_cover' }, 40] }, sortby: '-properties.datetime', maxItems: 20 };
    // Act
    const job = validateJob({ ...good, items: { search } });
    const problems = problemsOf({ ...good, items: { search: { ...search, url: 'file:///etc/passwd', intersects: { type: 'Point', coordinates: [15, 46] },
      datetime: 'last week', maxItems: 100000, query: { 'eo:cloud_cover': { lt: 10 } } } } });
    // Assess
    expect(job.items).toEqual({ search });
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/^items\.search\.url: expected the http\(s\) URL of a STAC API/),
      expect.stringMatching(/^items\.search\.datetime: expected an RFC 3339 datetime or interval/),
      expect.stringMatching(/^items\.search\.maxItems: Too big: expected number to be <=2000/),
    ]));
    expect(problemsOf({ ...good, items: { search: { ...search, intersects: { type: 'Point', coordinates: [15, 46] } } } }))
      .toEqual(['items.search.intersects: give bbox or intersects, not both']);
    expect(problemsOf({ ...good, items: { search: { url: search.url, bboxx: [1, 2, 3, 4] } } })).toEqual(['items.search: Unrecognized key: "bboxx"']);
    expect(JSON.stringify(jobJsonSchema())).toContain('maxItems');
  });
});
