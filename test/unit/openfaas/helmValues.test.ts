/** The OpenFaaS chart values eofn asks for: committed as rendered, only keys the chart defines, timeouts that fit a partition. */
import { readFile } from 'node:fs/promises';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { EDITIONS } from '../../../openfaas/deploy/editions.ts';
import { CHART_KEYS, helmValues, helmValuesYaml, valueKeys } from '../../../openfaas/deploy/helmValues.ts';

const seconds = (v: string) => Number(/^(\d+)s$/.exec(v)![1]);

describe('OpenFaaS chart values', () => {
  it.each(Object.values(EDITIONS))('openfaas/helm/values-$name.yaml is committed as rendered and uses only chart keys', async (edition) => {
    // Prepare
    const text = await readFile(`openfaas/helm/values-${edition.name}.yaml`, 'utf8');
    // Act
    const keys = valueKeys(YAML.parse(text));
    // Assess
    expect(text).toBe(helmValuesYaml(edition, edition.maxReplicas));
    for (const key of keys) expect(CHART_KEYS, key).toHaveProperty([key]);
  });

  it.each(Object.values(EDITIONS))('$name: gateway and queue-worker wait longer than a partition may run; upstream below read/write', (edition) => {
    const v = helmValues(edition, 20);
    expect(seconds(v.gateway.upstreamTimeout)).toBeGreaterThanOrEqual(915);
    expect(seconds(v.gateway.upstreamTimeout)).toBeLessThan(seconds(v.gateway.readTimeout));
    expect(seconds(v.queueWorker.ackWait)).toBeGreaterThan(915);
  });

  it('standard: the Pro queue-worker retries 429 and gateway errors, not a handler\'s recorded 500', () => {
    const v = helmValues(EDITIONS.standard, 20);
    expect(v).toMatchObject({ openfaasPro: true, queueWorkerPro: { maxInflight: 20 } });
    expect(v.queueWorkerPro.httpRetryCodes.split(',')).toEqual(expect.arrayContaining(['429', '502', '503', '504']));
    expect(v.queueWorkerPro.httpRetryCodes.split(',')).not.toContain('500');
    expect(helmValues(EDITIONS.ce, 5).queueWorkerPro).toBeUndefined();
  });
});
