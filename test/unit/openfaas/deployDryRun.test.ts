/** `npm run deploy:openfaas -- --provider X --dry-run`: prints the rendered stack and the exact commands. */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const deploy = (...args: string[]) => {
  const env = { ...process.env };
  delete env.OPENFAAS_URL;
  return run(process.execPath, ['scripts/deploy-openfaas.ts', ...args], { env });
};

describe('deploy:openfaas --dry-run', () => {
  it('prints the creodias stack and the kubectl and faas-cli commands in order, and writes nothing', async () => {
    // Prepare
    const before = await readFile('openfaas/rendered/creodias/stack.yml', 'utf8');

    // Act
    const { stdout } = await deploy('--provider', 'creodias', '--dry-run', '--image', 'registry.example/eofn:9', '--set', 'EOFN_ARRIVAL_RULES=s3://cfg/rules.json');

    // Assess
    expect(stdout).toContain('# openfaas/rendered/creodias/stack.yml');
    expect(stdout).toContain('image: "registry.example/eofn:9"');
    expect(stdout).toContain('EOFN_ARRIVAL_RULES: "s3://cfg/rules.json"');
    const commands = stdout.split('\n').filter((l) => /^(kubectl|faas-cli) /.test(l));
    expect(commands.map((c) => c.split(' ').slice(0, 4).join(' '))).toEqual([
      'kubectl -n openfaas-fn get', 'kubectl -n openfaas-fn apply', 'kubectl -n openfaas-fn rollout',
      'kubectl -n openfaas-fn create', 'kubectl -n openfaas-fn create', 'kubectl -n openfaas-fn create',
      'kubectl -n openfaas-fn create', 'kubectl -n openfaas-fn create', 'faas-cli deploy -f openfaas/rendered/creodias/stack.yml',
    ]);
    expect(stdout).toContain('-f openfaas/k8s/postgres.yaml');
    expect(stdout).toContain('--from-literal=eofn-s3-secret-key="$EOFN_S3_SECRET_KEY"');
    expect(await readFile('openfaas/rendered/creodias/stack.yml', 'utf8')).toBe(before);
  });

  it('deploys no database when the DSN secret of a managed one exists, and no archive keys for generic S3', async () => {
    const { stdout } = await deploy('--provider', 'generic', '--dry-run', '--database-url-secret');
    expect(stdout).not.toContain('postgres.yaml');
    expect(stdout).toContain('kubectl -n openfaas-fn get secret eofn-database-url');
    expect(stdout).not.toContain('eofn-archive-access-key');
    expect(stdout).toContain('faas-cli deploy -f openfaas/rendered/generic/stack.yml');
  });

  it('names the known providers when given an unknown one, in one line with exit code 2', async () => {
    const failure = await deploy('--provider', 'nowhere', '--dry-run').catch((e) => e);
    expect(failure.code).toBe(2);
    expect(failure.stderr).toBe('deploy:openfaas: unknown provider "nowhere": choose one of codede, creodias, generic, wekeo\n');
  });

  it('does not deploy a default image: a real deploy needs --image, a dry run says it has none', async () => {
    const failure = await deploy('--provider', 'creodias').catch((e) => e);
    expect(failure.code).toBe(2);
    expect(failure.stderr).toMatch(/^deploy:openfaas: --image is required: the image you built from openfaas\/Dockerfile and pushed/);
    const { stdout } = await deploy('--provider', 'generic', '--dry-run');
    expect(stdout).toContain('# note: no --image given: the stack shows the placeholder image; a deploy needs --image');
  });
});
