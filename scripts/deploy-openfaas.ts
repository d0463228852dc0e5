/**
 * `npm run deploy:openfaas -- --provider creodias --edition ce|standard [--dry-run]`: pins the image to its
 * digest (CE: it must be pullable anonymously, as faas-netes CE demands), renders the stack for the
 * edition, checks it against faas-cli's stack schema and (CE) faas-netes' CE rules, writes it to
 * `.eofn-deploy/<provider>-<edition>/stack.yml`, and deploys: PostgreSQL (unless `--database-url-secret`),
 * the secrets from files, the NetworkPolicies, then `faas-cli deploy` into `--namespace`. `--dry-run` writes
 * the same stack and prints it with the exact commands instead of running them. `--estimate denmark|job.json`
 * says how long that work takes on each edition, from its plan.
 *
 * @example
 * // npm run deploy:openfaas -- --provider creodias --edition ce --image ghcr.io/me/eofn-functions:0.1.0 --dry-run
 */
import { execSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import YAML from 'yaml';
import { planJob, prepareJob, readJobFile } from '../functions/core/engine/index.ts';
import { opMemoryMb } from '../functions/core/ops/descriptors.ts';
import { deployCommands, requiredEnv, secretsFromEnv } from '../openfaas/deploy/deployCommands.ts';
import { EDITIONS, editionOf, LICENCE_SOURCE } from '../openfaas/deploy/editions.ts';
import { denmarkExample, formatEstimates, type PlanForEstimate } from '../openfaas/deploy/editionEstimate.ts';
import { helmValuesYaml } from '../openfaas/deploy/helmValues.ts';
import { k8sFiles } from '../openfaas/deploy/k8sManifests.ts';
import { ceProblems, stackProblems } from '../openfaas/deploy/openfaasRules.ts';
import { listProviders, loadProvider } from '../openfaas/deploy/providers.ts';
import { DEFAULT_IMAGE, renderStack, renderStackYaml } from '../openfaas/deploy/renderStack.ts';
import { resolveImage } from '../openfaas/deploy/resolveImage.ts';
import { registerLocalStorages } from '../functions/adapters/local/registerLocalStorages.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

// Usage and input errors end in one line and exit 2, as the eofn CLI's do; a stack only with --debug.
process.on('uncaughtException', (e) => {
  process.stderr.write(`deploy:openfaas: ${e.message}\n${process.argv.includes('--debug') ? `${e.stack}\n` : ''}`);
  process.exit((e as { status?: number }).status !== undefined ? 1 : 2); // execSync failures carry a status
});

const { values } = parseArgs({
  options: {
    debug: { type: 'boolean', default: false },
    provider: { type: 'string' }, edition: { type: 'string', default: 'ce' }, image: { type: 'string' },
    namespace: { type: 'string', default: 'openfaas-fn' }, gateway: { type: 'string' }, set: { type: 'string', multiple: true, default: [] },
    'registry-secret': { type: 'string' }, 'registry-config': { type: 'string' },
    'database-url-secret': { type: 'boolean', default: false }, 'dry-run': { type: 'boolean', default: false },
    estimate: { type: 'string' }, out: { type: 'string' }, replicas: { type: 'string' }, 'render-all': { type: 'boolean', default: false },
  },
  strict: true,
});

if (values['render-all']) {
  // The committed files: example stacks per provider and edition, openfaas/stack.yml (generic, CE), manifests.
  for (const name of await listProviders()) {
    for (const edition of Object.values(EDITIONS)) writeText(join(ROOT, 'openfaas/rendered', name, edition.name, 'stack.yml'), renderStackYaml(await loadProvider(name), edition));
  }
  writeText(join(ROOT, 'openfaas/stack.yml'), renderStackYaml(await loadProvider('generic'), EDITIONS.ce));
  for (const [path, text] of Object.entries(k8sFiles())) writeText(join(ROOT, path), text);
  for (const edition of Object.values(EDITIONS)) writeText(join(ROOT, `openfaas/helm/values-${edition.name}.yaml`), helmValuesYaml(edition, edition.maxReplicas));
  process.exit(0);
}
if (!values.provider) {
  process.stderr.write(`usage: npm run deploy:openfaas -- --provider ${(await listProviders()).join('|')} [--edition ce|standard] [--dry-run] [--image IMAGE] [--namespace NS] [--set KEY=VALUE]… [--database-url-secret] [--registry-secret NAME --registry-config ~/.docker/config.json] [--replicas N] [--estimate denmark|job.json]\n`);
  process.exit(2);
}
const profile = await loadProvider(values.provider);
const edition = editionOf(values.edition);
// Replicas per op function: on CE they are all started up front, so a small cluster asks for fewer.
const replicas = values.replicas === undefined ? profile.maxReplicas : Number(values.replicas);
if (!Number.isInteger(replicas) || replicas < 1) throw new Error(`--replicas must be a positive integer; got "${values.replicas}"`);
const provider = { ...profile, maxReplicas: replicas };
const dryRun = values['dry-run'];
const say = (line: string) => process.stdout.write(`${line}\n`);
const stop = (message: string): never => {
  process.stderr.write(`deploy:openfaas: ${message}\n`);
  process.exit(2);
};
if (!values.image && !dryRun) {
  stop('--image is required: the image you built from openfaas/Dockerfile and pushed, e.g. --image <registry>/eofn-functions:0.1.0');
}
const set = Object.fromEntries(values.set.map((kv) => {
  const i = kv.indexOf('=');
  if (i <= 0) stop(`--set expects KEY=VALUE, got "${kv}"`);
  return [kv.slice(0, i), kv.slice(i + 1)];
}));
if (values['registry-secret'] && !edition.privateImages) stop(`${edition.title} deploys public images only (${LICENCE_SOURCE}); --registry-secret needs --edition standard`);
if (values['registry-secret'] && !values['registry-config'] && !dryRun) stop('--registry-secret needs --registry-config PATH (a Docker config.json with the registry\'s credentials)');

// The image by digest: what runs is exactly what was checked. CE also needs it public.
const notes: string[] = [];
let image = values.image ?? DEFAULT_IMAGE;
if (!values.image) notes.push('no --image given: the stack shows the placeholder image; a deploy needs --image');
else try {
  image = (await resolveImage(image)).pinned;
} catch (e) {
  const given = image.includes('@sha256:');
  if (edition.name === 'ce' || !given) {
    if (!dryRun) stop((e as Error).message + (given ? '' : '; for a private image on Standard give --image <name>@sha256:<digest>'));
    notes.push(`image check failed, a real deploy stops here: ${(e as Error).message}`);
  }
}

const yaml = renderStackYaml(provider, edition, { image, set, gatewayUrl: values.gateway ?? process.env.OPENFAAS_URL, registrySecret: values['registry-secret'] });
const problems = [...stackProblems(YAML.parse(yaml)), ...(edition.name === 'ce' ? ceProblems(renderStack(provider, edition, { image, set, registrySecret: values['registry-secret'] })) : [])];
if (problems.length) stop(`the rendered stack would be refused:\n  ${problems.join('\n  ')}`);

// Dry run or not, the stack is written where the commands read it.
const outDir = resolve(ROOT, values.out ?? join('.eofn-deploy', `${provider.name}-${edition.name}`));
const stackPath = join(outDir, 'stack.yml');
writeText(stackPath, yaml);
const plan = {
  provider, stackPath: stackPath.startsWith(ROOT) ? relative(ROOT, stackPath) : stackPath, namespace: values.namespace!, externalDatabase: values['database-url-secret'],
  registrySecret: values['registry-secret'] ? { name: values['registry-secret'], configPath: values['registry-config'] ?? '~/.docker/config.json' } : undefined,
};
const commands = deployCommands(plan);
const estimate = values.estimate ? formatEstimates(await plansToEstimate(values.estimate), provider) : [];

if (dryRun) {
  say(`# ${plan.stackPath} (written; ${edition.title}: ${edition.licence})\n${yaml}`);
  say(`# commands (run from the repository root; $EOFN_SECRETS_DIR is a private temporary directory the script fills)\n${commands.join('\n')}`);
  const chart = `the OpenFaaS chart needs the values in openfaas/helm/values-${edition.name}.yaml (timeouts${edition.name === 'standard' ? ', queue-worker retries and maxInflight' : ''})`;
  if (!values.image) notes.push('no --image given: the stack shows the placeholder image; a deploy needs --image');
  for (const line of [...notes, chart, ...estimate.map((l) => `estimate: ${l}`), ...provider.notes]) say(`# note: ${line}`);
  process.exit(0);
}
const missing = requiredEnv(plan).filter((name) => !process.env[name]);
if (missing.length) stop(`set ${missing.join(', ')} in the environment first (they become Kubernetes secrets)`);
for (const line of estimate) say(`estimate: ${line}`);
const secretsDir = mkdtempSync(join(tmpdir(), 'eofn-secrets-'));
try {
  for (const [name, variable] of Object.entries(secretsFromEnv(plan))) writeFileSync(join(secretsDir, name), process.env[variable]!, { mode: 0o600 });
  for (const command of commands) {
    process.stderr.write(`$ ${command}\n`);
    execSync(command, { cwd: ROOT, stdio: 'inherit', shell: '/bin/bash', env: { ...process.env, EOFN_SECRETS_DIR: secretsDir } });
  }
} finally {
  rmSync(secretsDir, { recursive: true, force: true });
}

function writeText(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/** `denmark` (the docs' example) or a job file, planned at its op function's memory. */
async function plansToEstimate(what: string): Promise<PlanForEstimate[]> {
  if (what === 'denmark') return denmarkExample();
  registerLocalStorages(); // the job and its items as `eofn plan` reads them: files, https://, s3://
  const source = await readJobFile(resolve(what));
  const prepared = await prepareJob(source.raw, source.base);
  return [planJob(prepared, { memoryMb: opMemoryMb(prepared.job.op) })];
}
