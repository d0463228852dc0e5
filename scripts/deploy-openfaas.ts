/**
 * `npm run deploy:openfaas -- --provider creodias [--dry-run]`: renders `openfaas/rendered/<provider>/stack.yml`
 * and deploys it: PostgreSQL (unless `--database-url-secret`), the secrets from the operator's environment
 * (EOFN_S3_ACCESS_KEY, EOFN_S3_SECRET_KEY, and EOFN_ARCHIVE_ACCESS_KEY/…SECRET_KEY where the archive has
 * its own keys), then `faas-cli deploy`. `--dry-run` prints the rendered stack and the commands instead.
 *
 * @example
 * // npm run deploy:openfaas -- --provider creodias --image registry.example/eofn-functions:0.1.0 --dry-run
 */
import { execSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { deployCommands, requiredEnv } from '../functions/adapters/openfaas/deploy/deployCommands.ts';
import { listProviders, loadProvider } from '../functions/adapters/openfaas/deploy/providers.ts';
import { renderStackYaml } from '../functions/adapters/openfaas/deploy/renderStack.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

// Usage and input errors end in one line and exit 2, as the eofn CLI's do; a stack only with --debug.
process.on('uncaughtException', (e) => {
  process.stderr.write(`deploy:openfaas: ${e.message}\n${process.argv.includes('--debug') ? `${e.stack}\n` : ''}`);
  process.exit((e as { status?: number }).status !== undefined ? 1 : 2); // execSync failures carry a status
});

const { values } = parseArgs({
  options: {
    debug: { type: 'boolean', default: false },
    provider: { type: 'string' }, image: { type: 'string' }, namespace: { type: 'string', default: 'openfaas-fn' },
    gateway: { type: 'string' }, set: { type: 'string', multiple: true, default: [] },
    'database-url-secret': { type: 'boolean', default: false }, 'dry-run': { type: 'boolean', default: false },
    'render-all': { type: 'boolean', default: false },
  },
  strict: true,
});

if (values['render-all']) {
  // The committed stacks: openfaas/stack.yml (generic) and openfaas/rendered/<provider>/stack.yml.
  for (const name of await listProviders()) writeStack(join(ROOT, 'openfaas/rendered', name, 'stack.yml'), renderStackYaml(await loadProvider(name)));
  writeStack(join(ROOT, 'openfaas/stack.yml'), renderStackYaml(await loadProvider('generic')));
  process.exit(0);
}
if (!values.provider) {
  process.stderr.write(`usage: npm run deploy:openfaas -- --provider ${(await listProviders()).join('|')} [--dry-run] [--image IMAGE] [--set KEY=VALUE]… [--database-url-secret]\n`);
  process.exit(2);
}
const provider = await loadProvider(values.provider);
if (!values.image && !values['dry-run']) {
  process.stderr.write('deploy:openfaas: --image is required: the image you built from openfaas/Dockerfile and pushed, e.g. --image <registry>/eofn-functions:0.1.0\n');
  process.exit(2);
}
const set = Object.fromEntries(values.set.map((kv) => {
  const i = kv.indexOf('=');
  if (i <= 0) throw new Error(`--set expects KEY=VALUE, got "${kv}"`);
  return [kv.slice(0, i), kv.slice(i + 1)];
}));
const gatewayUrl = values.gateway ?? process.env.OPENFAAS_URL;
const yaml = renderStackYaml(provider, { image: values.image, set, gatewayUrl });
const stackPath = join(ROOT, 'openfaas/rendered', provider.name, 'stack.yml');
// A dry run only prints: the committed rendered stacks stay as they are.
if (!values['dry-run']) writeStack(stackPath, yaml);
const plan = { provider, stackPath: relative(ROOT, stackPath), namespace: values.namespace!, externalDatabase: values['database-url-secret'] };
const commands = deployCommands(plan);

if (values['dry-run']) {
  process.stdout.write(`# ${plan.stackPath}\n${yaml}\n# commands (run from the repository root)\n${commands.join('\n')}\n`);
  for (const note of provider.notes) process.stdout.write(`# note: ${note}\n`);
  if (!values.image) process.stdout.write('# note: no --image given: the stack shows the placeholder image; a deploy needs --image\n');
  process.exit(0);
}
const missing = requiredEnv(plan).filter((name) => !process.env[name]);
if (missing.length) {
  process.stderr.write(`deploy:openfaas: set ${missing.join(', ')} in the environment first (they become Kubernetes secrets)\n`);
  process.exit(2);
}
for (const command of commands) {
  process.stderr.write(`$ ${command}\n`);
  execSync(command, { cwd: ROOT, stdio: 'inherit', shell: '/bin/bash' });
}

function writeStack(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}
