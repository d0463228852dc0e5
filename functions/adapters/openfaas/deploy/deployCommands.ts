/**
 * The shell commands of a deployment, in order: the database (a StatefulSet, unless the secret
 * `eofn-database-url` already holds a managed database's DSN: `--database-url-secret`), the secrets (from the operator's environment: never written to disk or printed), and
 * `faas-cli deploy`. `--dry-run` prints exactly these lines.
 *
 * @example
 * deployCommands({ provider, stackPath: 'openfaas/rendered/creodias/stack.yml', namespace: 'openfaas-fn' });
 */
import { SECRET_NAMES } from '../diasConfig.ts';
import type { Provider } from './providers.ts';

export interface DeployPlan {
  provider: Provider;
  stackPath: string;
  namespace: string;
  /** The secret eofn-database-url exists already (a managed PostgreSQL): deploy no database. */
  externalDatabase?: boolean;
  postgresManifest?: string;
}

export function deployCommands(plan: DeployPlan): string[] {
  const ns = plan.namespace;
  const secret = (name: string, valueExpr: string) =>
    `kubectl -n ${ns} create secret generic ${name} --from-literal=${name}="${valueExpr}" --dry-run=client -o yaml | kubectl apply -f -`;
  const out: string[] = [];
  if (plan.externalDatabase) {
    out.push(`kubectl -n ${ns} get secret ${SECRET_NAMES.databaseUrl}`);
  } else {
    out.push(
      `kubectl -n ${ns} get secret eofn-postgres-password >/dev/null 2>&1 || kubectl -n ${ns} create secret generic eofn-postgres-password --from-literal=password="$(openssl rand -hex 24)"`,
      `kubectl -n ${ns} apply -f ${plan.postgresManifest ?? 'openfaas/k8s/postgres.yaml'}`,
      `kubectl -n ${ns} rollout status statefulset/eofn-postgres --timeout=180s`,
      secret(SECRET_NAMES.databaseUrl, `postgres://eofn:$(kubectl -n ${ns} get secret eofn-postgres-password -o jsonpath='{.data.password}' | base64 -d)@eofn-postgres.${ns}:5432/eofn`),
    );
  }
  out.push(secret(SECRET_NAMES.s3AccessKey, '$EOFN_S3_ACCESS_KEY'), secret(SECRET_NAMES.s3SecretKey, '$EOFN_S3_SECRET_KEY'));
  if (plan.provider.archiveCredentials) {
    out.push(secret(SECRET_NAMES.archiveAccessKey, '$EOFN_ARCHIVE_ACCESS_KEY'), secret(SECRET_NAMES.archiveSecretKey, '$EOFN_ARCHIVE_SECRET_KEY'));
  }
  out.push(`faas-cli deploy -f ${plan.stackPath}`);
  return out;
}

/** Environment variables the commands read; the script refuses to run (not to print) without them. */
export function requiredEnv(plan: DeployPlan): string[] {
  return [
    'EOFN_S3_ACCESS_KEY', 'EOFN_S3_SECRET_KEY',
    ...(plan.provider.archiveCredentials ? ['EOFN_ARCHIVE_ACCESS_KEY', 'EOFN_ARCHIVE_SECRET_KEY'] : []),
  ];
}
