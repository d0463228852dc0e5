/**
 * The OpenFaaS stacks, per provider and edition: the committed files are exactly what the renderer makes;
 * faas-cli reads them as written (its stack schema, strict); faas-netes CE accepts every function of the CE
 * stacks and would refuse the old ones; Standard carries the production settings; the watchdog settings
 * follow each function's time limit; secrets only as files, the call token in every function.
 */
import { readFile } from 'node:fs/promises';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { FUNCTION_NAMES } from '../../../functions/adapters/openfaas/diasConfig.ts';
import { EDITIONS } from '../../../openfaas/deploy/editions.ts';
import { ceProblems, stackProblems } from '../../../openfaas/deploy/openfaasRules.ts';
import { listProviders, loadProvider } from '../../../openfaas/deploy/providers.ts';
import { CALL_TOKEN_SECRET } from '../../../functions/adapters/openfaas/callToken.ts';
import { FUNCTION_PREFIX, renderStack, renderStackYaml } from '../../../openfaas/deploy/renderStack.ts';
import { OPERATIONS } from '../../../functions/core/ops/registry.ts';
import { DEFAULT_MEMORY_MB } from '../../../functions/core/plan/memoryModel.ts';
import { FINALIZE_MEMORY_MB } from '../../../functions/core/plan/opMemory.ts';
import { OP_NAMES, opMemoryMb } from '../../../functions/core/ops/descriptors.ts';
import { opMemory } from '../../../functions/adapters/openfaas/diasConfig.ts';

const OPS = OP_NAMES;
const seconds = (v: string) => Number(/^(\d+)s$/.exec(v)![1]);

describe('openfaas stacks', async () => {
  const providers = await listProviders();
  const cases = providers.flatMap((p) => Object.values(EDITIONS).map((e) => [p, e.name] as const));
  const committed = (p: string, e: string) => readFile(`openfaas/rendered/${p}/${e}/stack.yml`, 'utf8');

  it('has the four DIAS profiles', () => {
    expect(providers).toEqual(['codede', 'creodias', 'generic', 'wekeo']);
  });

  it.each(cases)('commits openfaas/rendered/%s/%s/stack.yml exactly as rendered', async (name, edition) => {
    expect(await committed(name, edition)).toBe(renderStackYaml(await loadProvider(name), EDITIONS[edition]));
  });

  it('commits openfaas/stack.yml as the generic profile on CE', async () => {
    expect(await readFile('openfaas/stack.yml', 'utf8')).toBe(renderStackYaml(await loadProvider('generic'), EDITIONS.ce));
  });

  it.each(cases)('%s/%s: faas-cli reads the committed file as written (its stack schema, no unknown keys)', async (name, edition) => {
    // Act
    const problems = stackProblems(YAML.parse(await committed(name, edition)));
    // Assess
    expect(problems).toEqual([]);
  });

  it.each(providers)('%s/ce: faas-netes CE accepts every function', async (name) => {
    const parsed = YAML.parse(await committed(name, 'ce'));
    expect(ceProblems(parsed)).toEqual([]);
    expect(Object.keys(parsed.functions)).toHaveLength(FUNCTION_NAMES.length);
  });

  it('the stack before editions (scale.max 10 and 20 on the op functions) is what CE refused', async () => {
    // Prepare: the creodias stack as it was rendered before, scale.max = the profile's 20.
    const old = renderStack(await loadProvider('creodias'), EDITIONS.standard);
    for (const f of Object.values<any>(old.functions)) {
      for (const k of Object.keys(f.labels)) if (/scale\.(type|target)/.test(k)) delete f.labels[k];
    }
    // Act
    const problems = ceProblems(old);
    // Assess
    expect(problems.filter((p) => p.includes('com.openfaas.scale.max'))).toHaveLength(4);
    expect(problems[0]).toMatch(/set too high for Community Edition.*validate\.go#L59-L99/);
  });

  it('refuses what faas-cli would drop or misread: unknown keys, wrong types, $ substitution, untagged images', () => {
    const stack = (fn: Record<string, unknown>) => ({ version: '1.0', provider: { name: 'openfaas' }, functions: { f: { image: 'r/x:1', ...fn } } });
    expect(stackProblems(stack({ readOnlyRootFilesystem: true }))[0]).toMatch(/unrecognized key.*readOnlyRootFilesystem/i);
    expect(stackProblems(stack({ labels: { a: 1 } }))[0]).toMatch(/functions\.f\.labels\.a/);
    expect(stackProblems(stack({ environment: { A: 'x$HOME' } }))[0]).toMatch(/envsubst/);
    expect(stackProblems(stack({ image: 'registry:5000/x' }))[0]).toMatch(/appends :latest/);
    expect(stackProblems({ provider: { name: 'faas' }, functions: {} })[0]).toMatch(/provider.name/);
  });

  it.each(cases)('%s/%s: image, limits = requests, secrets as files (with the call token), read-only root, no credentials in the environment', async (name, edition) => {
    const stack = renderStack(await loadProvider(name), EDITIONS[edition]);
    expect(Object.keys(stack.functions).sort()).toEqual(FUNCTION_NAMES.map((f) => `${FUNCTION_PREFIX}${f}`).sort());
    for (const [fn, f] of Object.entries<any>(stack.functions)) {
      expect(f.image, fn).toMatch(/^[\w./-]+:[\w.-]+$/);
      expect(f.limits.memory, fn).toBe(f.requests.memory);
      expect(f.secrets, fn).toEqual(expect.arrayContaining(['eofn-database-url', 'eofn-s3-access-key', 'eofn-s3-secret-key', CALL_TOKEN_SECRET]));
      expect(f.readonly_root_filesystem, fn).toBe(true);
      for (const key of Object.keys(f.environment)) expect(key, fn).not.toMatch(/KEY|SECRET|PASSWORD|DATABASE_URL|DSN|TOKEN/i);
    }
  });

  it.each(cases)('%s/%s: watchdog settings: http mode, the server signals readiness, plain JSON logs, timeouts from the time limit', async (name, edition) => {
    const stack = renderStack(await loadProvider(name), EDITIONS[edition]);
    for (const [fn, f] of Object.entries<any>(stack.functions)) {
      const env = f.environment;
      expect(env, fn).toMatchObject({ mode: 'http', upstream_url: 'http://127.0.0.1:3000', suppress_lock: 'true', ready_path: '/_/ready', prefix_logs: 'false' });
      const [exec, write, read, health] = [env.exec_timeout, env.write_timeout, env.read_timeout, env.healthcheck_interval].map(seconds);
      // A call accepted at the end of the drain window still fits before the watchdog's shutdown deadline.
      expect(write, fn).toBeGreaterThanOrEqual(exec + health);
      expect(read, fn).toBe(write);
      expect(Number(env.EOFN_LEASE_SECONDS), fn).toBeGreaterThan(write);
      expect(Number(env.EOFN_GRACE_SECONDS), fn).toBe(edition === 'ce' ? 30 : write + 2);
    }
    for (const op of [...OPS, 'finalize']) expect(stack.functions[`eofn-${op}`].environment.max_inflight).toBe('1');
    expect(seconds(stack.functions['eofn-tile-reduce'].environment.exec_timeout)).toBe(900);
  });

  it.each(providers)('%s/ce: direct dispatch sized to CE\'s 5 replicas, started up front; no autoscaler or retry settings', async (name) => {
    const stack = renderStack(await loadProvider(name), EDITIONS.ce);
    for (const op of OPS) {
      const f = stack.functions[`eofn-${op}`];
      expect(f.environment).toMatchObject({ EOFN_DISPATCH: 'direct', EOFN_DISPATCH_CONCURRENCY: f.labels['com.openfaas.scale.max'] });
      expect(f.labels['com.openfaas.scale.min']).toBe(f.labels['com.openfaas.scale.max']);
      expect(Number(f.labels['com.openfaas.scale.max'])).toBeLessThanOrEqual(5);
    }
    for (const f of Object.values<any>(stack.functions)) {
      expect(Object.keys(f.annotations ?? {}).filter((k) => k.startsWith('com.openfaas.retry'))).toEqual([]);
    }
  });

  it('standard: queue dispatch, capacity autoscaling at one call per replica, queue-worker retries of 429 and gateway errors, a pull secret', async () => {
    const provider = await loadProvider('creodias');
    const stack = renderStack(provider, EDITIONS.standard, { registrySecret: 'eofn-registry' });
    const op = stack.functions['eofn-tile-reduce'];
    expect(op.environment.EOFN_DISPATCH).toBe('queue');
    expect(op.labels).toMatchObject({ 'com.openfaas.scale.min': '1', 'com.openfaas.scale.max': String(provider.maxReplicas), 'com.openfaas.scale.type': 'capacity', 'com.openfaas.scale.target': '1' });
    expect(op.annotations).toMatchObject({ 'com.openfaas.retry.codes': '429,502,503,504' });
    expect(op.secrets).toContain('eofn-registry');
    expect(() => renderStack(provider, EDITIONS.ce, { registrySecret: 'eofn-registry' })).toThrow(/public images only/);
  });

  it.each(cases)('%s/%s: op functions get the memory the planner splits jobs for; finalize gets the merge budget', async (name, edition) => {
    const stack = renderStack(await loadProvider(name), EDITIONS[edition]);
    for (const op of OPS) expect(stack.functions[`eofn-${op}`].limits.memory).toBe(`${opMemoryMb(op)}Mi`);
    expect(stack.functions['eofn-tile-reduce'].limits.memory).toBe(`${DEFAULT_MEMORY_MB}Mi`);
    expect(stack.functions['eofn-finalize'].limits.memory).toBe(`${FINALIZE_MEMORY_MB}Mi`);
  });

  it('gives an op the memory its provider profile overrides, and tells the planner (EOFN_OP_MEMORY_MB)', async () => {
    // Prepare
    const provider = { ...(await loadProvider('creodias')), opMemoryMb: { composite: 3538 } };
    // Act
    const stack = renderStack(provider, EDITIONS.standard);
    const plain = renderStack(await loadProvider('creodias'), EDITIONS.standard);
    // Assess
    expect(stack.functions['eofn-composite'].limits.memory).toBe('3538Mi');
    expect(stack.functions['eofn-tile-reduce'].limits.memory).toBe(`${opMemoryMb('tile-reduce')}Mi`);
    expect(stack.functions['eofn-jobs'].environment.EOFN_OP_MEMORY_MB).toBe('composite=3538');
    expect(opMemory(stack.functions['eofn-jobs'].environment.EOFN_OP_MEMORY_MB)).toEqual({ composite: 3538 });
    expect(plain.functions['eofn-jobs'].environment.EOFN_OP_MEMORY_MB).toBeUndefined();
    expect(() => opMemory('ndvi=2048')).toThrow(/EOFN_OP_MEMORY_MB: "ndvi" is not an op; expected one of tile-reduce/);
    expect(() => opMemory('composite')).toThrow(/EOFN_OP_MEMORY_MB: composite needs a whole number of MiB/);
  });

  it('has a function for every registered op', () => {
    for (const op of Object.keys(OPERATIONS)) expect(FUNCTION_NAMES).toContain(op);
  });

  it.each(cases)('%s/%s: the reconciler runs every minute and the STAC poller on a schedule, both through the cron connector', async (name, edition) => {
    const stack = renderStack(await loadProvider(name), EDITIONS[edition]);
    expect(stack.functions['eofn-reconcile'].annotations).toEqual({ topic: 'cron-function', schedule: '* * * * *' });
    expect(stack.functions['eofn-stac-poll'].annotations.topic).toBe('cron-function');
    expect(stack.functions['eofn-stac-poll'].annotations.schedule).toMatch(/^\S+ \S+ \S+ \S+ \S+$/);
  });

  it('sets the archive and results endpoints of each DIAS profile, with archive keys where the archive has its own', async () => {
    const creodias = renderStack(await loadProvider('creodias'), EDITIONS.ce).functions['eofn-tile-reduce'];
    expect(creodias.environment).toMatchObject({ EOFN_ARCHIVE_BUCKETS: 'eodata', EOFN_S3_ENDPOINT: expect.stringMatching(/^https:\/\//) });
    expect(creodias.secrets).toContain('eofn-archive-secret-key');
    const generic = renderStack(await loadProvider('generic'), EDITIONS.ce).functions['eofn-tile-reduce'];
    expect(generic.environment.EOFN_ARCHIVE_BUCKETS).toBeUndefined();
    expect(generic.secrets).not.toContain('eofn-archive-secret-key');
  });
});
