/**
 * The published job schema as a partner uses it: a standard JSON Schema 2020-12 validator (Ajv), not our
 * own zod code, accepts every job we ship or document and rejects what `eofn validate` rejects.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { jobJsonSchema } from '../../../functions/core/contract/jobSchema.ts';
import { validateJob } from '../../../functions/core/contract/validateJob.ts';
import { parseExpression } from '../../../functions/core/expr/parseExpression.ts';
import { inlineCode, jsonBlocks } from '../../helpers/markdownBlocks.ts';

const validate = new Ajv2020({ allErrors: true, strict: true }).compile(jobJsonSchema());

// The demo jobs, the jobs docs/ ships as files, and the archive-style jobs the README runs offline.
const shippedJobs = ['sample-data/jobs', 'docs/jobs', 'test/fixtures/archive/jobs'].flatMap((dir) => readdirSync(resolve(dir)).map((f) => ({
  name: `${dir}/${f}`, json: JSON.parse(readFileSync(resolve(dir, f), 'utf8')) as unknown,
})));
// A block that shows a job (an object with "op" at its top) must parse; other blocks may be fragments of a
// larger document, or hold a job inside something else (an arrival rule's template).
const documentedJobs = jsonBlocks()
  .filter((b) => (b.json ? typeof b.json === 'object' && 'op' in b.json : /^\s*\{\s*"op"\s*:/.test(b.text)))
  .map((b) => ({ name: `${b.file}:${b.line}${b.error ? ` (${b.error})` : ''}`, json: b.json }));

describe('the published job schema (Ajv, JSON Schema 2020-12)', () => {
  it('finds the jobs it checks: four shipped, and the README and docs examples', () => {
    expect(shippedJobs.filter((j) => j.name.startsWith('sample-data/')).length).toBe(4);
    expect(documentedJobs.map((j) => j.name.split(':')[0])).toEqual(expect.arrayContaining(['README.md', 'docs/parcel-aggregate.md']));
  });

  it.each([...shippedJobs, ...documentedJobs])('accepts $name, as eofn validate does', ({ json }) => {
    const ok = validate(json);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    expect(() => validateJob(json)).not.toThrow();
  });

  it('leaves defaulted params optional and still rejects what the contract forbids', () => {
    // Prepare: the shipped NDVI job, minimal and broken in the ways a partner would break it
    const base = shippedJobs.find((j) => j.name.endsWith('ndvi-demo.json'))!.json as Record<string, any>;
    const cases: [unknown, boolean][] = [
      [base, true],
      [{ op: 'coherence-merge', items: ['a.tif'], params: {}, output: 'o' }, true],
      [{ ...base, params: { ...base.params, reducer: 'avg' } }, false],
      [{ ...base, params: { ...base.params, colour: 'red' } }, false],
      [{ ...base, items: [] }, false],
      [{ ...base, op: 'nope' }, false],
      [{ ...base, id: 'has space' }, false],
      [{ op: 'parcel-aggregate', items: ['a.json'], params: { parcels: 'p.fgb' }, output: 'o' }, false],
    ];
    // Act / Assess: Ajv and validateJob agree on each
    for (const [job, accepted] of cases) {
      expect(validate(job)).toBe(accepted);
      expect(() => validateJob(job)).toThrowIfRejected(accepted);
    }
  });

  it('every expression the docs show inline parses as written (e.g. {"ndvi": "(nir-red)/(nir+red)"})', () => {
    const spans = inlineCode().flatMap(({ file, code }) => {
      if (!/^\{"\w+": ".*"\}$/.test(code)) return [];
      return Object.values(JSON.parse(code) as Record<string, string>).map((src) => ({ file, src }));
    });
    expect(spans.map((s) => s.src)).toContain('(nir-red)/(nir+red)');
    for (const { file, src } of spans) expect(() => parseExpression(src, file), `${file}: ${src}`).not.toThrow();
    expect(parseExpression('(nir-red)/(nir+red)')).toMatchObject({ kind: 'bin', op: '/', left: { op: '-' }, right: { op: '+' } });
  });
});

expect.extend({
  toThrowIfRejected(fn: () => unknown, accepted: boolean) {
    let threw = false;
    try { fn(); } catch { threw = true; }
    return { pass: threw !== accepted, message: () => `validateJob ${threw ? 'rejected' : 'accepted'} a job Ajv ${accepted ? 'accepts' : 'rejects'}` };
  },
});

declare module 'vitest' {
  interface Assertion { toThrowIfRejected(accepted: boolean): void }
}
