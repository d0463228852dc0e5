/**
 * The OpenFaaS editions eofn renders for. Community Edition (CE) is limited by faas-netes' own code: at most
 * 5 replicas per function, public images only, one function namespace, no autoscaler, a NATS Streaming
 * queue held in memory that the queue-worker drains one message at a time, and the pod's default 30 s
 * termination grace. Standard lifts these: JetStream queue-worker with retries and `maxInflight`, the
 * autoscaler, private registries, and a grace period derived from `write_timeout`.
 *
 * CE is for exploration only. faas-netes' README (https://github.com/openfaas/faas-netes/blob/662ce9ce36ec4a32467773c308807bd5d58f5ae6/README.md#L12):
 * "OpenFaaS Community Edition (CE) is licensed for individual exploration and hobbyist use. A 60 day limit
 * applies for commercial PoCs. Commercial and production workloads require OpenFaaS Standard or OpenFaaS
 * for Enterprises."
 *
 * @example
 * const edition = editionOf('ce'); // edition.maxReplicas === 5, edition.dispatch === 'direct'
 */

export type EditionName = 'ce' | 'standard';

export interface Edition {
  name: EditionName;
  title: string;
  /** Largest `com.openfaas.scale.max` the provider accepts (CE: faas-netes MaxReplicas = 5). */
  maxReplicas: number;
  /**
   * How partitions reach the op functions. `direct`: the jobs and reconcile functions call the op functions
   * synchronously through the gateway, at most `maxReplicas` at once per op (counted in PostgreSQL), because
   * CE's queue-worker delivers one async call at a time. `queue`: async calls through the JetStream
   * queue-worker, which runs many at once and retries 429s.
   */
  dispatch: 'direct' | 'queue';
  /** Autoscaler labels (`com.openfaas.scale.type`/`target`) are allowed (CE refuses them). */
  autoscaling: boolean;
  /** Images may be private, pulled with a `kubernetes.io/dockerconfigjson` secret listed in `secrets:`. */
  privateImages: boolean;
  /** Queue-worker retry annotations (`com.openfaas.retry.*`) take effect (JetStream queue-worker only). */
  retries: boolean;
  /**
   * The pod's terminationGracePeriodSeconds as the provider sets it: CE leaves Kubernetes' default 30 s
   * (the write_timeout-based grace moved to the Pro provider in faas-netes 09d44a46); Standard sets
   * write_timeout + 2 s.
   */
  graceSeconds(writeTimeoutSeconds: number): number;
  licence: string;
}

export const LICENCE_SOURCE = 'https://github.com/openfaas/faas-netes/blob/662ce9ce36ec4a32467773c308807bd5d58f5ae6/README.md#L12';

export const EDITIONS: Record<EditionName, Edition> = {
  ce: {
    name: 'ce',
    title: 'OpenFaaS Community Edition',
    maxReplicas: 5,
    dispatch: 'direct',
    autoscaling: false,
    privateImages: false,
    retries: false,
    graceSeconds: () => 30,
    licence: 'individual exploration and hobbyist use; 60 days for a commercial PoC; not for production',
  },
  standard: {
    name: 'standard',
    title: 'OpenFaaS Standard',
    maxReplicas: 20,
    dispatch: 'queue',
    autoscaling: true,
    privateImages: true,
    retries: true,
    graceSeconds: (writeTimeout) => writeTimeout + 2,
    licence: 'commercial licence; required for commercial and production workloads',
  },
};

export function editionOf(name: string | undefined): Edition {
  const edition = EDITIONS[(name ?? 'ce') as EditionName];
  if (!edition) throw new Error(`unknown edition "${name}": choose ce or standard`);
  return edition;
}
