/**
 * The OpenFaaS stacks: every function has an image, memory limits = requests = what the planner assumes,
 * secrets (never credentials in the environment), a lease longer than its timeout, cron annotations; and
 * the committed files are exactly what the renderer makes (they cannot drift from the code).
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { FUNCTION_NAMES } from '../../../functions/adapters/openfaas/diasConfig.ts';
import { listProviders, loadProvider } from '../../../functions/adapters/openfaas/deploy/providers.ts';
import { FUNCTION_PREFIX, renderStack, renderStackYaml } from '../../../functions/adapters/openfaas/deploy/renderStack.ts';
import { OPERATIONS } from '../../../functions/core/ops/registry.ts';
import { DEFAULT_MEMORY_MB } from '../../../functions/core/plan/memoryModel.ts';
import { FINALIZE_MEMORY_MB, opMemoryMb } from '../../../functions/core/plan/opMemory.ts';

const OPS = ['tile-reduce', 'composite', 'coherence-merge', 'parcel-aggregate'];

/** The function blocks of a rendered stack file, by name (two-space-indented keys under `functions:`). */
function blocksOf(yaml: string): Record<string, string> {
  const body = yaml.slice(yaml.indexOf('\nfunctions:\n') + 12);
  return Object.fromEntries(body.split(/\n(?=  [a-z0-9-]+:\n)/).map((b) => [b.trim().split(':')[0], b]));
}

describe('openfaas stacks', async () => {
  const providers = await listProviders();

  it('has the four DIAS profiles', () => {
    expect(providers).toEqual(['codede', 'creodias', 'generic', 'wekeo']);
  });

  it.each(providers)('commits openfaas/rendered/%s/stack.yml exactly as rendered', async (name) => {
    // Prepare
    const expected = renderStackYaml(await loadProvider(name));
    // Act
    const committed = await readFile(`openfaas/rendered/${name}/stack.yml`, 'utf8');
    // Assess
    expect(committed).toBe(expected);
  });

  it('commits openfaas/stack.yml as the generic profile', async () => {
    expect(await readFile('openfaas/stack.yml', 'utf8')).toBe(renderStackYaml(await loadProvider('generic')));
  });

  it.each(providers)('%s: every function has an image, limits = requests, secrets, and no credentials in its environment', async (name) => {
    // Prepare
    const stack = renderStack(await loadProvider(name));
    const blocks = blocksOf(await readFile(`openfaas/rendered/${name}/stack.yml`, 'utf8'));

    // Act / Assess
    expect(Object.keys(stack.functions).sort()).toEqual(FUNCTION_NAMES.map((f) => `${FUNCTION_PREFIX}${f}`).sort());
    for (const [fn, f] of Object.entries<any>(stack.functions)) {
      expect(f.image, fn).toMatch(/^[\w./-]+:[\w.-]+$/);
      expect(f.limits.memory, fn).toBe(f.requests.memory);
      expect(f.secrets, fn).toEqual(expect.arrayContaining(['eofn-database-url', 'eofn-s3-access-key', 'eofn-s3-secret-key']));
      for (const key of Object.keys(f.environment)) expect(key, fn).not.toMatch(/KEY|SECRET|PASSWORD|DATABASE_URL|DSN/i);
      expect(f.environment.mode, fn).toBe('http');
      expect(f.environment.upstream_url, fn).toBe('http://127.0.0.1:3000');
      expect(Number(f.environment.EOFN_LEASE_SECONDS), fn).toBeGreaterThan(parseInt(f.environment.exec_timeout, 10));
      expect(blocks[fn], fn).toContain(`limits:\n      memory: "${f.limits.memory}"`);
      expect(blocks[fn], fn).toContain(`image: "${f.image}"`);
      expect(blocks[fn], fn).toContain('- "eofn-database-url"');
    }
  });

  it.each(providers)('%s: op functions get the memory the planner splits jobs for; finalize gets the merge budget', async (name) => {
    const stack = renderStack(await loadProvider(name));
    for (const op of OPS) {
      expect(stack.functions[`eofn-${op}`].limits.memory).toBe(`${opMemoryMb(op)}Mi`);
    }
    expect(stack.functions['eofn-tile-reduce'].limits.memory).toBe(`${DEFAULT_MEMORY_MB}Mi`);
    expect(stack.functions['eofn-finalize'].limits.memory).toBe(`${FINALIZE_MEMORY_MB}Mi`);
  });

  it('has a function for every registered op', () => {
    for (const op of Object.keys(OPERATIONS)) expect(FUNCTION_NAMES).toContain(op);
  });

  it.each(providers)('%s: the reconciler runs every minute and the STAC poller on a schedule, both through the cron connector', async (name) => {
    const stack = renderStack(await loadProvider(name));
    expect(stack.functions['eofn-reconcile'].annotations).toEqual({ topic: 'cron-function', schedule: '* * * * *' });
    expect(stack.functions['eofn-stac-poll'].annotations.topic).toBe('cron-function');
    expect(stack.functions['eofn-stac-poll'].annotations.schedule).toMatch(/^\S+ \S+ \S+ \S+ \S+$/);
    expect(stack.functions['eofn-jobs'].annotations).toBeUndefined();
  });

  it('sets the archive and results endpoints of each DIAS profile, with archive keys where the archive has its own', async () => {
    const creodias = renderStack(await loadProvider('creodias')).functions['eofn-tile-reduce'];
    expect(creodias.environment).toMatchObject({ EOFN_ARCHIVE_BUCKETS: 'eodata', EOFN_S3_ENDPOINT: expect.stringMatching(/^https:\/\//) });
    expect(creodias.secrets).toContain('eofn-archive-secret-key');
    const generic = renderStack(await loadProvider('generic')).functions['eofn-tile-reduce'];
    expect(generic.environment.EOFN_ARCHIVE_BUCKETS).toBeUndefined();
    expect(generic.secrets).not.toContain('eofn-archive-secret-key');
  });
});
