/**
 * The Kubernetes objects the deploy applies (PostgreSQL, NetworkPolicies) pass the Kubernetes schemas (the
 * `kubernetes-models` validators; unknown fields are refused at typecheck by its types), are committed
 * exactly as rendered, and meet strict pod policies: non-root, read-only root, no capabilities, probes,
 * the password from a file.
 */
import { readFile } from 'node:fs/promises';
import YAML from 'yaml';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { Service } from 'kubernetes-models/v1/Service';
import { describe, expect, it } from 'vitest';
import { k8sFiles, networkPolicies, postgresManifests } from '../../../openfaas/deploy/k8sManifests.ts';

const MODELS: Record<string, new (o: any) => { validate(): void }> = { Service, StatefulSet, NetworkPolicy };

function validateAll(text: string): string[] {
  return YAML.parseAllDocuments(text).map((doc) => {
    const o = doc.toJSON();
    new MODELS[o.kind](o).validate();
    return `${o.kind}/${o.metadata.name}`;
  });
}

describe('Kubernetes manifests', () => {
  it.each(Object.entries(k8sFiles()))('%s is committed as rendered and passes the Kubernetes schemas', async (path, rendered) => {
    // Prepare
    const text = await readFile(path, 'utf8');
    // Act
    const objects = validateAll(text);
    // Assess
    expect(text).toBe(rendered);
    expect(objects).toEqual(path.endsWith('postgres.yaml')
      ? ['Service/eofn-postgres', 'StatefulSet/eofn-postgres']
      : ['NetworkPolicy/eofn-functions-from-openfaas', 'NetworkPolicy/eofn-postgres-from-functions']);
  });

  it('a schema error is caught (the check can fail)', () => {
    const [, sts] = postgresManifests();
    const broken = JSON.parse(JSON.stringify(sts));
    broken.spec.template.spec.containers[0].ports[0].containerPort = 'five';
    expect(() => new StatefulSet(broken).validate()).toThrow(/containerPort/);
  });

  it('PostgreSQL runs as a numeric non-root user, read-only, without capabilities, with readiness and liveness probes', () => {
    const [, sts] = postgresManifests();
    const pod = sts.spec!.template.spec!;
    const c = pod.containers[0];
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 70, seccompProfile: { type: 'RuntimeDefault' } });
    expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
    expect(c.readinessProbe?.exec?.command?.[0]).toBe('pg_isready');
    expect(c.livenessProbe?.exec?.command?.[0]).toBe('pg_isready');
    // The password is a mounted file, never an environment value.
    expect(c.env!.some((e) => e.valueFrom)).toBe(false);
    expect(c.env).toContainEqual({ name: 'POSTGRES_PASSWORD_FILE', value: '/run/secrets/eofn-postgres/password' });
    expect(pod.volumes).toContainEqual(expect.objectContaining({ name: 'password', secret: expect.objectContaining({ secretName: 'eofn-postgres-password' }) }));
  });

  it('only the gateway and queue-worker reach function pods, on the watchdog port; only function pods reach PostgreSQL', () => {
    const [fns, db] = networkPolicies('openfaas');
    expect(fns.spec!.podSelector).toEqual({ matchExpressions: [{ key: 'eofn/function', operator: 'Exists' }] });
    expect(fns.spec!.ingress).toEqual([{
      from: [{
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'openfaas' } },
        podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['gateway', 'queue-worker'] }] },
      }],
      ports: [{ protocol: 'TCP', port: 8080 }],
    }]);
    expect(db.spec!.ingress![0].from).toEqual([{ podSelector: fns.spec!.podSelector }]);
  });
});
