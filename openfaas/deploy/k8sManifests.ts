/**
 * The Kubernetes objects the deploy applies beside the functions: PostgreSQL for the job state (non-root,
 * read-only root filesystem, no capabilities, password from a mounted secret file, readiness and liveness
 * probes) and NetworkPolicies so that only the OpenFaaS gateway and queue-worker reach eofn's function pods,
 * and only those pods reach PostgreSQL. Rendered to `openfaas/k8s/*.yaml` and checked against the
 * Kubernetes schemas in the tests.
 *
 * @example
 * for (const [path, text] of Object.entries(k8sFiles())) writeFileSync(path, text);
 */
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { IService } from 'kubernetes-models/v1/Service';
import { FUNCTION_LABEL } from './renderStack.ts';
import { toYaml } from './toYaml.ts';

export const POSTGRES_PASSWORD_SECRET = 'eofn-postgres-password';
/** UID and GID of the `postgres` user in the postgres:*-alpine images. */
const POSTGRES_UID = 70;

/** Typed by the Kubernetes models, so `npm run typecheck` refuses an unknown or misspelt field. */
export type Manifest = IService | IStatefulSet | INetworkPolicy;

const restricted = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
};

export function postgresManifests(image = 'postgres:16-alpine'): [IService, IStatefulSet] {
  const labels = { app: 'eofn-postgres' };
  const isReady = { exec: { command: ['pg_isready', '-U', 'eofn', '-d', 'eofn'] } };
  return [{
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'eofn-postgres', labels },
    spec: { ports: [{ port: 5432, name: 'postgres' }], selector: labels },
  }, {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'eofn-postgres', labels },
    spec: {
      serviceName: 'eofn-postgres',
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          automountServiceAccountToken: false,
          securityContext: {
            runAsNonRoot: true, runAsUser: POSTGRES_UID, runAsGroup: POSTGRES_UID, fsGroup: POSTGRES_UID,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [{
            name: 'postgres',
            image,
            env: [
              { name: 'POSTGRES_USER', value: 'eofn' },
              { name: 'POSTGRES_DB', value: 'eofn' },
              { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
              // The image's entrypoint reads the password from this file: never an environment value.
              { name: 'POSTGRES_PASSWORD_FILE', value: '/run/secrets/eofn-postgres/password' },
            ],
            ports: [{ containerPort: 5432, name: 'postgres' }],
            securityContext: restricted,
            readinessProbe: { ...isReady, periodSeconds: 5, failureThreshold: 3 },
            livenessProbe: { ...isReady, initialDelaySeconds: 30, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6 },
            resources: { requests: { memory: '256Mi', cpu: '100m' }, limits: { memory: '512Mi' } },
            volumeMounts: [
              { name: 'data', mountPath: '/var/lib/postgresql/data' },
              { name: 'password', mountPath: '/run/secrets/eofn-postgres', readOnly: true },
              // Writable places a read-only root filesystem leaves PostgreSQL: its socket and temp files.
              { name: 'run', mountPath: '/var/run/postgresql' },
              { name: 'tmp', mountPath: '/tmp' },
            ],
          }],
          volumes: [
            { name: 'password', secret: { secretName: POSTGRES_PASSWORD_SECRET, defaultMode: 0o400 } },
            { name: 'run', emptyDir: {} },
            { name: 'tmp', emptyDir: {} },
          ],
        },
      },
      volumeClaimTemplates: [{
        metadata: { name: 'data' },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '5Gi' } } },
      }],
    },
  }];
}

/** Ingress to eofn's pods: the gateway and queue-worker (in `openfaasNamespace`) to functions, functions to PostgreSQL. */
export function networkPolicies(openfaasNamespace = 'openfaas'): INetworkPolicy[] {
  const functionPods = { matchExpressions: [{ key: FUNCTION_LABEL, operator: 'Exists' }] };
  return [{
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'eofn-functions-from-openfaas' },
    spec: {
      podSelector: functionPods,
      policyTypes: ['Ingress'],
      ingress: [{
        from: [{
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': openfaasNamespace } },
          podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['gateway', 'queue-worker'] }] },
        }],
        ports: [{ protocol: 'TCP', port: 8080 }],
      }],
    },
  }, {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'eofn-postgres-from-functions' },
    spec: {
      podSelector: { matchLabels: { app: 'eofn-postgres' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: functionPods }], ports: [{ protocol: 'TCP', port: 5432 }] }],
    },
  }];
}

/** Several objects as one YAML stream, with a header naming the source. */
function manifestsYaml(manifests: Manifest[], header: string): string {
  return `# ${header}\n# Rendered by scripts/deploy-openfaas.ts from openfaas/deploy/k8sManifests.ts; do not edit.\n`
    + manifests.map((m) => toYaml(JSON.parse(JSON.stringify(m)))).join('---\n');
}

/** The committed manifest files, by path from the repository root. */
export function k8sFiles(): Record<string, string> {
  return {
    'openfaas/k8s/postgres.yaml': manifestsYaml(postgresManifests(), 'PostgreSQL for eofn\'s job state, for clusters without a managed database (password: secret eofn-postgres-password).'),
    'openfaas/k8s/network-policy.yaml': manifestsYaml(networkPolicies(), 'Only the OpenFaaS gateway and queue-worker reach eofn\'s function pods; only those pods reach PostgreSQL.'),
  };
}
