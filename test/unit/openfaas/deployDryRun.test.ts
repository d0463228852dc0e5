/**
 * `npm run deploy:openfaas -- --provider X --edition ce|standard --dry-run`: pins the image to the digest a
 * registry gives anonymously (a registry on 127.0.0.1 here, with a token service as ghcr.io has), writes
 * the stack it prints where the printed faas-cli command reads it, and lists the exact commands: secrets
 * from files, the call token, the NetworkPolicies, `--namespace` for kubectl and faas-cli alike. CE refuses
 * an image that cannot be pulled anonymously before running anything.
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ceProblems, stackProblems } from '../../../openfaas/deploy/openfaasRules.ts';

const run = promisify(execFile);
const DIGEST = `sha256:${'ab12'.repeat(16)}`;
let registry: Server;
let host: string;
let out: string;

const deploy = (...args: string[]) => {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('EOFN_') || k === 'OPENFAAS_URL') delete env[k];
  return run(process.execPath, ['scripts/deploy-openfaas.ts', '--out', out, ...args], { env });
};

beforeAll(async () => {
  // A registry with anonymous pull tokens for eofn/* and none for private/*, as Docker Hub and ghcr.io answer.
  registry = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    if (url.pathname === '/token') {
      const publicRepo = url.searchParams.get('scope')?.startsWith('repository:eofn/');
      res.writeHead(publicRepo ? 200 : 401, { 'content-type': 'application/json' }).end(publicRepo ? '{"token":"anonymous"}' : '{}');
      return;
    }
    if (req.method === 'HEAD' && /^\/v2\/(eofn|private)\/fn\/manifests\/1$/.test(url.pathname)) {
      if (req.headers.authorization !== 'Bearer anonymous') {
        const scope = `repository:${url.pathname.split('/')[2]}/fn:pull`;
        res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${host}/token",service="test",scope="${scope}"` }).end();
        return;
      }
      res.writeHead(200, { 'docker-content-digest': DIGEST, 'content-type': 'application/vnd.oci.image.index.v1+json' }).end();
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => registry.listen(0, '127.0.0.1', r));
  host = `127.0.0.1:${(registry.address() as AddressInfo).port}`;
  out = await mkdtemp(join(tmpdir(), 'eofn-deploy-'));
});

afterAll(async () => {
  await new Promise((r) => registry.close(r));
  await rm(out, { recursive: true, force: true });
});

describe('deploy:openfaas --dry-run', () => {
  it('CE: pins the image by digest, writes the stack it prints, which faas-cli reads and CE accepts, and lists the commands in order', async () => {
    // Act
    const { stdout } = await deploy('--provider', 'creodias', '--edition', 'ce', '--dry-run', '--image', `${host}/eofn/fn:1`,
      '--set', 'EOFN_ARRIVAL_RULES=s3://cfg/rules.json');

    // Assess: the file the faas-cli command names is the stack printed, pinned by digest.
    const written = await readFile(join(out, 'stack.yml'), 'utf8');
    expect(stdout).toContain(written);
    const stack = YAML.parse(written);
    expect(stackProblems(stack)).toEqual([]);
    expect(ceProblems(stack)).toEqual([]);
    for (const f of Object.values<any>(stack.functions)) expect(f.image).toBe(`${host}/eofn/fn:1@${DIGEST}`);
    expect(stack.functions['eofn-jobs'].environment.EOFN_ARRIVAL_RULES).toBe('s3://cfg/rules.json');
    const commands = stdout.split('\n').filter((l) => /^(kubectl|faas-cli|\(umask) /.test(l));
    expect(commands.map((c) => c.split(' ').slice(0, 4).join(' '))).toEqual([
      'kubectl -n openfaas-fn get', 'kubectl -n openfaas-fn apply', 'kubectl -n openfaas-fn rollout', "(umask 077; printf 'postgres://eofn:%s@eofn-postgres.openfaas-fn:5432/eofn'",
      'kubectl -n openfaas-fn create', 'kubectl -n openfaas-fn create', 'kubectl -n openfaas-fn create',
      'kubectl -n openfaas-fn create', 'kubectl -n openfaas-fn create', 'kubectl -n openfaas-fn get',
      'kubectl -n openfaas-fn apply', `faas-cli deploy -f ${join(out, 'stack.yml')}`,
    ]);
    expect(commands.at(-1)).toMatch(/ --namespace openfaas-fn$/);
    expect(stdout).toContain('-f openfaas/k8s/network-policy.yaml');
    expect(stdout).toContain('--from-file=eofn-s3-secret-key="$EOFN_SECRETS_DIR/eofn-s3-secret-key"');
    expect(stdout).toContain('get secret eofn-call-token');
    expect(stdout).not.toContain('--from-literal');
    expect(stdout).not.toContain('a real deploy stops here');
  });

  it('--namespace reaches kubectl and faas-cli; Standard renders autoscaling, retries and the registry pull secret', async () => {
    // Act
    const { stdout } = await deploy('--provider', 'creodias', '--edition', 'standard', '--dry-run', '--image', `${host}/eofn/fn:1`,
      '--namespace', 'eofn-fn', '--registry-secret', 'eofn-registry', '--registry-config', '/secure/config.json');

    // Assess
    const stack = YAML.parse(await readFile(join(out, 'stack.yml'), 'utf8'));
    expect(stackProblems(stack)).toEqual([]);
    const op = stack.functions['eofn-tile-reduce'];
    expect(op.labels).toMatchObject({ 'com.openfaas.scale.type': 'capacity', 'com.openfaas.scale.max': '20' });
    expect(op.annotations['com.openfaas.retry.codes']).toBe('429,502,503,504');
    expect(op.secrets).toContain('eofn-registry');
    expect(ceProblems(stack).length).toBeGreaterThan(0); // these settings are what CE refuses
    expect(stdout).toContain('kubectl -n eofn-fn create secret generic eofn-registry --type=kubernetes.io/dockerconfigjson --from-file=.dockerconfigjson=/secure/config.json');
    expect(stdout).toMatch(/faas-cli deploy -f \S+ --namespace eofn-fn/);
    expect(stdout.split('\n').filter((l) => l.startsWith('kubectl ')).every((l) => l.startsWith('kubectl -n eofn-fn '))).toBe(true);
  });

  it('CE refuses an image that cannot be pulled anonymously: the dry run says so, a deploy stops before any command', async () => {
    // Act
    const dry = await deploy('--provider', 'generic', '--dry-run', '--image', `${host}/private/fn:1`);
    const real = await deploy('--provider', 'generic', '--image', `${host}/private/fn:1`).catch((e) => e);

    // Assess
    expect(dry.stdout).toMatch(/a real deploy stops here: .*private\/fn:1 cannot be pulled anonymously .*only allows public images/);
    expect(real.code).toBe(2);
    expect(real.stderr).toContain('the Community Edition license agreement only allows public images');
    expect(real.stderr).not.toContain('$ kubectl');
  });

  it('says how long the Denmark example takes on each edition, from its plan', async () => {
    const { stdout } = await deploy('--provider', 'creodias', '--dry-run', '--image', `${host}/eofn/fn:1`, '--estimate', 'denmark');
    const lines = stdout.split('\n').filter((l) => l.startsWith('# note: estimate: '));
    expect(lines[0]).toMatch(/28 job\(s\), 336 partition\(s\)/);
    expect(lines.slice(1).map((l) => l.split(':')[2].trim())).toEqual(['CE through its queue (one call at a time)', 'CE, direct dispatch', 'Standard']);
    // A job file is planned as `eofn plan` plans it, at its op function's memory.
    const own = await deploy('--provider', 'generic', '--dry-run', '--image', `${host}/eofn/fn:1`, '--estimate', 'sample-data/jobs/ndvi-demo.json');
    expect(own.stdout).toContain('# note: estimate: 1 job(s), 1 partition(s)');
  });

  it('deploys no database when the DSN secret of a managed one exists, and no archive keys for generic S3', async () => {
    const { stdout } = await deploy('--provider', 'generic', '--dry-run', '--database-url-secret', '--image', `${host}/eofn/fn:1`);
    expect(stdout).not.toContain('postgres.yaml');
    expect(stdout).toContain('kubectl -n openfaas-fn get secret eofn-database-url');
    expect(stdout).not.toContain('eofn-archive-access-key');
  });

  it('names the known providers and editions when given unknown ones, in one line with exit code 2', async () => {
    const provider = await deploy('--provider', 'nowhere', '--dry-run').catch((e) => e);
    expect(provider.code).toBe(2);
    expect(provider.stderr).toBe('deploy:openfaas: unknown provider "nowhere": choose one of codede, creodias, generic, wekeo\n');
    const edition = await deploy('--provider', 'generic', '--edition', 'pro', '--dry-run').catch((e) => e);
    expect(edition.stderr).toBe('deploy:openfaas: unknown edition "pro": choose ce or standard\n');
    const secret = await deploy('--provider', 'generic', '--registry-secret', 'r', '--dry-run').catch((e) => e);
    expect(secret.stderr).toContain('public images only');
  });

  it('does not deploy a default image: a real deploy needs --image, a dry run says it has none', async () => {
    const failure = await deploy('--provider', 'creodias').catch((e) => e);
    expect(failure.code).toBe(2);
    expect(failure.stderr).toMatch(/^deploy:openfaas: --image is required: the image you built from openfaas\/Dockerfile and pushed/);
    const { stdout } = await deploy('--provider', 'generic', '--dry-run');
    expect(stdout).toContain('# note: no --image given: the stack shows the placeholder image; a deploy needs --image');
  });
});
