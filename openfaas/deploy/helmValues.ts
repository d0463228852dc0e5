/**
 * The OpenFaaS Helm chart values eofn needs, per edition: gateway timeouts that let a synchronous call
 * (direct dispatch, the cron connector) last as long as a partition, a queue-worker `ackWait` as long as an
 * async call may run, non-root function pods; on Standard the JetStream queue-worker with retries of 429
 * and gateway errors and as many calls in flight as the op functions have replicas. Every key is one the
 * chart defines (`CHART_KEYS`, with the lines of values.yaml it comes from).
 *
 * @example
 * writeFileSync('openfaas/helm/values-standard.yaml', helmValuesYaml(EDITIONS.standard, 20));
 */
import type { Edition } from './editions.ts';
import { functionTimings } from './functionTimings.ts';
import { toYaml } from './toYaml.ts';

const VALUES = 'https://github.com/openfaas/faas-netes/blob/662ce9ce36ec4a32467773c308807bd5d58f5ae6/chart/openfaas/values.yaml';

/** The chart keys used here, each with its line in the chart's values.yaml. */
export const CHART_KEYS: Record<string, string> = {
  openfaasPro: `${VALUES}#L7`,
  'functions.setNonRootUser': `${VALUES}#L53`,
  'gateway.readTimeout': `${VALUES}#L72`,
  'gateway.writeTimeout': `${VALUES}#L73`,
  'gateway.upstreamTimeout': `${VALUES}#L74`,
  'queueWorkerPro.maxRetryAttempts': `${VALUES}#L259`,
  'queueWorkerPro.maxRetryWait': `${VALUES}#L260`,
  'queueWorkerPro.initialRetryWait': `${VALUES}#L261`,
  'queueWorkerPro.httpRetryCodes': `${VALUES}#L268`,
  'queueWorkerPro.maxInflight': `${VALUES}#L273`,
  'queueWorker.ackWait': `${VALUES}#L282`,
};

/** The longest call eofn makes: a partition or a merge (time limit 900 s). */
const LONGEST_CALL = 900;

export function helmValues(edition: Edition, opReplicas: number): Record<string, any> {
  const t = functionTimings(LONGEST_CALL, edition);
  return {
    ...(edition.name === 'standard' ? { openfaasPro: true } : {}),
    // The image runs as UID 12000 already; this makes faas-netes say so in the pod spec too.
    functions: { setNonRootUser: true },
    // upstreamTimeout must stay below the gateway's read/write timeouts (chart comment).
    gateway: { readTimeout: `${t.write + 5}s`, writeTimeout: `${t.write + 5}s`, upstreamTimeout: `${t.write}s` },
    queueWorker: { ackWait: `${t.write + 5}s` },
    ...(edition.name === 'standard' ? {
      queueWorkerPro: {
        maxInflight: opReplicas,
        // 500 is a failure the handler recorded (the reconciler retries it within its attempts): not retried here.
        httpRetryCodes: '408,429,502,503,504',
        maxRetryAttempts: '20',
        initialRetryWait: '10s',
        maxRetryWait: '120s',
      },
    } : {}),
  };
}

/** Dotted paths of the leaves of a values object (to check them against CHART_KEYS). */
export function valueKeys(values: Record<string, any>, prefix = ''): string[] {
  return Object.entries(values).flatMap(([k, v]) => (v && typeof v === 'object' && !Array.isArray(v) ? valueKeys(v, `${prefix}${k}.`) : [`${prefix}${k}`]));
}

export function helmValuesYaml(edition: Edition, opReplicas: number): string {
  return `# OpenFaaS chart values for eofn on ${edition.title}: helm upgrade --install openfaas openfaas/openfaas -n openfaas -f <this file>\n`
    + `# Rendered by scripts/deploy-openfaas.ts from openfaas/deploy/helmValues.ts; do not edit.\n`
    + toYaml(helmValues(edition, opReplicas));
}
