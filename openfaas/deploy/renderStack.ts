/**
 * The OpenFaaS stack of eofn for a provider and an edition: one image for every function (`EOFN_FUNCTION`
 * picks the handler), memory requests = limits = what the planner assumes for each op, watchdog settings
 * for a Node server that signals its own readiness (`suppress_lock`, the server writes the lock file once
 * it listens), timeouts derived from each function's time limit, one call at a time per op pod
 * (`max_inflight`), plain JSON logs, a read-only root filesystem, secrets mounted as files, and
 * cron-connector annotations for the reconciler and the STAC poller. CE stays within faas-netes' CE rules
 * (at most 5 replicas, no autoscaler labels) and dispatches partitions directly; Standard adds autoscaling,
 * queue-worker retries and a registry pull secret.
 *
 * @example
 * const stack = renderStack(await loadProvider('creodias'), editionOf('ce'), { image: 'registry.example/eofn@sha256:…' });
 * writeFileSync('stack.yml', renderStackYaml(provider, editionOf('standard')));
 */
import { FINALIZE_MEMORY_MB } from '../../functions/core/plan/opMemory.ts';
import { OP_NAMES, opMemoryMb, type OpName } from '../../functions/core/ops/descriptors.ts';
import { FUNCTION_NAMES, SECRET_NAMES, type FunctionName } from '../../functions/adapters/openfaas/diasConfig.ts';
import { DIAS_FINALIZE_SCRATCH_MB } from '../../functions/adapters/openfaas/diasJobLimits.ts';
import type { Edition } from './editions.ts';
import { functionTimings } from './functionTimings.ts';
import type { Provider } from './providers.ts';
import { toYaml } from './toYaml.ts';

export const DEFAULT_IMAGE = 'ghcr.io/eofn/eofn-functions:0.1.0';
export const FUNCTION_PREFIX = 'eofn-';
/** The label that marks eofn's function pods (the NetworkPolicy selects on it). */
export const FUNCTION_LABEL = 'eofn/function';
/** Merges at once: each finalize pod holds a whole product. */
export const FINALIZE_REPLICAS = 4;

/** Per function: memory (MiB), time limit (s), replicas wanted, calls per pod, cron schedule, local scratch (MiB). */
export interface FunctionShape { memoryMb: number; timeLimitSeconds: number; maxReplicas?: number; maxInflight: number; schedule?: string; scratchMb?: number }

export function functionShapes(provider: Provider): Record<FunctionName, FunctionShape> {
  // One call per pod: the memory a partition is planned for is the pod's whole limit.
  const op = (name: OpName): FunctionShape => ({ memoryMb: opMemoryOf(provider, name), timeLimitSeconds: 900, maxReplicas: provider.maxReplicas, maxInflight: 1 });
  return {
    jobs: { memoryMb: 512, timeLimitSeconds: 300, maxInflight: 1 },
    ...Object.fromEntries(OP_NAMES.map((name) => [name, op(name)])) as Record<OpName, FunctionShape>,
    finalize: { memoryMb: FINALIZE_MEMORY_MB, timeLimitSeconds: 900, maxReplicas: Math.min(FINALIZE_REPLICAS, provider.maxReplicas), maxInflight: 1, scratchMb: DIAS_FINALIZE_SCRATCH_MB },
    arrivals: { memoryMb: 256, timeLimitSeconds: 60, maxInflight: 4 },
    reconcile: { memoryMb: 256, timeLimitSeconds: 50, maxReplicas: 1, maxInflight: 1, schedule: '* * * * *' },
    'stac-poll': { memoryMb: 256, timeLimitSeconds: 240, maxReplicas: 1, maxInflight: 1, schedule: provider.stacPollSchedule },
  };
}

/** An op function's memory: the provider profile's override (`opMemoryMb`), else the op's descriptor. */
export function opMemoryOf(provider: Provider, op: OpName): number {
  return provider.opMemoryMb?.[op] ?? opMemoryMb(op);
}

/** Functions whose calls come through the queue-worker (Standard retries their 429s and gateway errors). */
const QUEUED: FunctionName[] = ['jobs', ...OP_NAMES, 'finalize'];

export interface RenderOptions {
  image?: string;
  /** KEY=VALUE overrides of the provider's environment (e.g. EOFN_ARRIVAL_RULES). */
  set?: Record<string, string>;
  /** The gateway as faas-cli reaches it (the functions use the in-cluster one). */
  gatewayUrl?: string;
  /** Standard only: a `kubernetes.io/dockerconfigjson` secret to pull a private image with. */
  registrySecret?: string;
}

export function renderStack(provider: Provider, edition: Edition, opts: RenderOptions = {}): Record<string, any> {
  if (opts.registrySecret && !edition.privateImages) {
    throw new Error(`${edition.title} deploys public images only: drop --registry-secret (faas-netes refuses images it cannot pull anonymously)`);
  }
  const shapes = functionShapes(provider);
  // The merge's scratch ceiling, for every function that plans: the finalize pod's /tmp unless the profile or --set says otherwise.
  const shared = { EOFN_MAX_MERGE_SCRATCH_MB: String(shapes.finalize.scratchMb), ...provider.environment, ...opMemoryEnv(provider), ...opts.set };
  const secrets: string[] = [SECRET_NAMES.databaseUrl, SECRET_NAMES.s3AccessKey, SECRET_NAMES.s3SecretKey,
    ...(provider.archiveCredentials ? [SECRET_NAMES.archiveAccessKey, SECRET_NAMES.archiveSecretKey] : []),
    // Every function checks callers against it and sends it on its own calls (callToken.ts).
    SECRET_NAMES.callToken, ...(opts.registrySecret ? [opts.registrySecret] : [])];
  const functions = Object.fromEntries(FUNCTION_NAMES.map((fn) => {
    const s = shapes[fn];
    const t = functionTimings(s.timeLimitSeconds, edition);
    const memory = `${s.memoryMb}Mi`;
    const replicas = Math.min(s.maxReplicas ?? 5, edition.maxReplicas);
    // CE has no autoscaler that sees long calls: the op and finalize replicas direct dispatch counts on are
    // started up front (min = max). Standard's autoscaler adds them as calls arrive.
    const pinned = edition.dispatch === 'direct' && s.maxInflight === 1 && (s.maxReplicas ?? 1) > 1;
    return [`${FUNCTION_PREFIX}${fn}`, {
      image: opts.image ?? DEFAULT_IMAGE,
      environment: {
        EOFN_FUNCTION: fn,
        EOFN_FUNCTION_PREFIX: FUNCTION_PREFIX,
        EOFN_GATEWAY_URL: 'http://gateway.openfaas:8080',
        EOFN_LEASE_SECONDS: String(t.lease),
        EOFN_GRACE_SECONDS: String(t.grace),
        EOFN_DISPATCH: edition.dispatch,
        // Calls in flight per op function: the replicas CE allows, each taking one call at a time.
        ...(edition.dispatch === 'direct' ? { EOFN_DISPATCH_CONCURRENCY: String(Math.min(provider.maxReplicas, edition.maxReplicas)) } : {}),
        ...shared,
        mode: 'http',
        upstream_url: 'http://127.0.0.1:3000',
        exec_timeout: `${t.exec}s`,
        read_timeout: `${t.read}s`,
        write_timeout: `${t.write}s`,
        healthcheck_interval: `${t.healthcheck}s`,
        max_inflight: String(s.maxInflight),
        // The server writes /tmp/.lock once it listens and the watchdog removes it on SIGTERM.
        suppress_lock: 'true',
        ready_path: '/_/ready',
        prefix_logs: 'false',
      },
      secrets,
      limits: { memory, cpu: s.memoryMb >= 1769 ? '1' : '250m' },
      requests: { memory, cpu: s.memoryMb >= 1769 ? '1' : '100m' },
      readonly_root_filesystem: true,
      labels: {
        'com.openfaas.scale.min': String(pinned ? replicas : 1),
        'com.openfaas.scale.max': String(replicas),
        ...(edition.autoscaling && replicas > 1 ? {
          // Scale on calls in flight: one per replica, as max_inflight allows.
          'com.openfaas.scale.type': 'capacity',
          'com.openfaas.scale.target': String(s.maxInflight),
          'com.openfaas.scale.target-proportion': '0.9',
        } : {}),
        [FUNCTION_LABEL]: fn,
      },
      ...annotationsOf(fn, s, edition, t.write),
    }];
  }));
  return {
    version: '1.0',
    provider: { name: 'openfaas', gateway: opts.gatewayUrl ?? 'http://127.0.0.1:8080' },
    functions,
  };
}

/** The overrides, for the jobs function's planner (only when there are any: a default needs no word). */
function opMemoryEnv(provider: Provider): Record<string, string> {
  const overrides = Object.entries(provider.opMemoryMb ?? {});
  return overrides.length ? { EOFN_OP_MEMORY_MB: overrides.map(([op, mb]) => `${op}=${mb}`).join(',') } : {};
}

function annotationsOf(fn: FunctionName, s: FunctionShape, edition: Edition, writeTimeout: number): { annotations?: Record<string, string> } {
  const annotations: Record<string, string> = {
    ...(s.schedule ? { topic: 'cron-function', schedule: s.schedule } : {}),
    ...(edition.retries && QUEUED.includes(fn) ? {
      // 429: the pod is busy (max_inflight); 502-504: the gateway or watchdog, not our handler, failed.
      'com.openfaas.retry.attempts': '20',
      'com.openfaas.retry.codes': '429,502,503,504',
      'com.openfaas.retry.min_wait': '10s',
      'com.openfaas.retry.max_wait': `${Math.min(writeTimeout, 300)}s`,
    } : {}),
  };
  return Object.keys(annotations).length ? { annotations } : {};
}

/** The stack file's text, with a header naming its source (the committed files are this, byte for byte). */
export function renderStackYaml(provider: Provider, edition: Edition, opts: RenderOptions = {}): string {
  return `# eofn on ${provider.name}, ${edition.title}: rendered by scripts/deploy-openfaas.ts from openfaas/providers/${provider.name}.json; do not edit.\n`
    + `# The image is built by openfaas/Dockerfile; EOFN_FUNCTION picks each function's handler.\n`
    + toYaml(renderStack(provider, edition, opts));
}
