/**
 * The shell commands of a deployment, in order: the database (a StatefulSet, unless the secret
 * `eofn-database-url` already holds a managed database's DSN: `--database-url-secret`), the secrets, the
 * NetworkPolicies, and `faas-cli deploy` into the same namespace. Every secret is created from a file in
 * `$EOFN_SECRETS_DIR` (a private temporary directory the script fills from the operator's environment and
 * removes afterwards), so no value appears on a command line or in the process list. `--dry-run` prints
 * exactly these lines.
 *
 * @example
 * deployCommands({ provider, stackPath: '.eofn-deploy/creodias-ce/stack.yml', namespace: 'openfaas-fn' });
 */
import { SECRET_NAMES } from '../../functions/adapters/openfaas/diasConfig.ts';
import { POSTGRES_PASSWORD_SECRET } from './k8sManifests.ts';
import type { Provider } from './providers.ts';

export interface DeployPlan {
  provider: Provider;
  stackPath: string;
  namespace: string;
  /** The secret eofn-database-url exists already (a managed PostgreSQL): deploy no database. */
  externalDatabase?: boolean;
  postgresManifest?: string;
  networkPolicyManifest?: string;
  /** Standard: a registry pull secret created from this Docker config.json. */
  registrySecret?: { name: string; configPath: string };
}

/** Secrets whose value the operator gives in the environment: secret name → variable. */
export function secretsFromEnv(plan: DeployPlan): Record<string, string> {
  return {
    [SECRET_NAMES.s3AccessKey]: 'EOFN_S3_ACCESS_KEY',
    [SECRET_NAMES.s3SecretKey]: 'EOFN_S3_SECRET_KEY',
    ...(plan.provider.archiveCredentials ? {
      [SECRET_NAMES.archiveAccessKey]: 'EOFN_ARCHIVE_ACCESS_KEY',
      [SECRET_NAMES.archiveSecretKey]: 'EOFN_ARCHIVE_SECRET_KEY',
    } : {}),
  };
}

/** Environment variables the commands read; the script refuses to run (not to print) without them. */
export function requiredEnv(plan: DeployPlan): string[] {
  return Object.values(secretsFromEnv(plan));
}

export function deployCommands(plan: DeployPlan): string[] {
  const k = `kubectl -n ${plan.namespace}`;
  const file = (name: string) => `"$EOFN_SECRETS_DIR/${name}"`;
  // Create or update from a file; `apply` keeps a redeploy idempotent.
  const fromFile = (name: string, key = name, type = '') =>
    `${k} create secret generic ${name}${type} --from-file=${key}=${file(name)} --dry-run=client -o yaml | ${k} apply -f -`;
  // Generated once and kept on redeploys (callers and the database keep working).
  const generateOnce = (name: string, key: string, bytes: number) =>
    `${k} get secret ${name} >/dev/null 2>&1 || { (umask 077; openssl rand -hex ${bytes} | tr -d '\\n' > ${file(name)}) && ${k} create secret generic ${name} --from-file=${key}=${file(name)}; }`;
  const out: string[] = [];
  if (plan.externalDatabase) {
    out.push(`${k} get secret ${SECRET_NAMES.databaseUrl}`);
  } else {
    out.push(
      generateOnce(POSTGRES_PASSWORD_SECRET, 'password', 24),
      `${k} apply -f ${plan.postgresManifest ?? 'openfaas/k8s/postgres.yaml'}`,
      `${k} rollout status statefulset/eofn-postgres --timeout=180s`,
      `(umask 077; printf 'postgres://eofn:%s@eofn-postgres.${plan.namespace}:5432/eofn' "$(${k} get secret ${POSTGRES_PASSWORD_SECRET} -o jsonpath='{.data.password}' | base64 -d)" > ${file(SECRET_NAMES.databaseUrl)})`,
      fromFile(SECRET_NAMES.databaseUrl),
    );
  }
  for (const name of Object.keys(secretsFromEnv(plan))) out.push(fromFile(name));
  out.push(generateOnce(SECRET_NAMES.callToken, SECRET_NAMES.callToken, 32));
  if (plan.registrySecret) {
    const { name, configPath } = plan.registrySecret;
    out.push(`${k} create secret generic ${name} --type=kubernetes.io/dockerconfigjson --from-file=.dockerconfigjson=${configPath} --dry-run=client -o yaml | ${k} apply -f -`);
  }
  out.push(
    `${k} apply -f ${plan.networkPolicyManifest ?? 'openfaas/k8s/network-policy.yaml'}`,
    `faas-cli deploy -f ${plan.stackPath} --namespace ${plan.namespace}`,
  );
  return out;
}
