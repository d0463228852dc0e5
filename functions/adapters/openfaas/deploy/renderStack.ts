/**
 * The OpenFaaS stack of eofn for a provider: one image for every function (`EOFN_FUNCTION` picks the
 * handler), memory requests = limits = what the planner assumes for each op, watchdog timeouts that fit a
 * partition, a lease longer than the timeout (a live worker never loses its claim), secrets mounted as
 * files, and cron-connector annotations for the reconciler and the STAC poller.
 *
 * @example
 * const stack = renderStack(await loadProvider('creodias'), { image: 'registry.example/eofn:0.1.0' });
 * writeFileSync('stack.yml', renderStackYaml(provider));
 */
import { FINALIZE_MEMORY_MB, OP_MEMORY_MB } from '../../../core/plan/opMemory.ts';
import { FUNCTION_NAMES, SECRET_NAMES, type FunctionName } from '../diasConfig.ts';
import type { Provider } from './providers.ts';
import { toYaml } from './toYaml.ts';

export const DEFAULT_IMAGE = 'ghcr.io/eofn/eofn-functions:0.1.0';
export const FUNCTION_PREFIX = 'eofn-';

/** Per function: memory (MiB), watchdog timeout (s), replicas, cron schedule. */
export interface FunctionShape { memoryMb: number; timeoutSeconds: number; maxReplicas?: number; schedule?: string }

export function functionShapes(provider: Provider): Record<FunctionName, FunctionShape> {
  const op = (name: string): FunctionShape => ({ memoryMb: OP_MEMORY_MB[name], timeoutSeconds: 900, maxReplicas: provider.maxReplicas });
  return {
    jobs: { memoryMb: 512, timeoutSeconds: 300 },
    'tile-reduce': op('tile-reduce'),
    composite: op('composite'),
    'coherence-merge': op('coherence-merge'),
    'parcel-aggregate': op('parcel-aggregate'),
    finalize: { memoryMb: FINALIZE_MEMORY_MB, timeoutSeconds: 900, maxReplicas: 4 },
    arrivals: { memoryMb: 256, timeoutSeconds: 60 },
    reconcile: { memoryMb: 256, timeoutSeconds: 50, maxReplicas: 1, schedule: '* * * * *' },
    'stac-poll': { memoryMb: 256, timeoutSeconds: 240, maxReplicas: 1, schedule: provider.stacPollSchedule },
  };
}

export interface RenderOptions {
  image?: string;
  /** KEY=VALUE overrides of the provider's environment (e.g. EOFN_ARRIVAL_RULES). */
  set?: Record<string, string>;
  /** The gateway as faas-cli reaches it (the functions use the in-cluster one). */
  gatewayUrl?: string;
}

export function renderStack(provider: Provider, opts: RenderOptions = {}): Record<string, any> {
  const shapes = functionShapes(provider);
  const shared = { ...provider.environment, ...opts.set };
  const secrets: string[] = [SECRET_NAMES.databaseUrl, SECRET_NAMES.s3AccessKey, SECRET_NAMES.s3SecretKey,
    ...(provider.archiveCredentials ? [SECRET_NAMES.archiveAccessKey, SECRET_NAMES.archiveSecretKey] : [])];
  const functions = Object.fromEntries(FUNCTION_NAMES.map((fn) => {
    const s = shapes[fn];
    const memory = `${s.memoryMb}Mi`;
    const timeout = `${s.timeoutSeconds}s`;
    return [`${FUNCTION_PREFIX}${fn}`, {
      image: opts.image ?? DEFAULT_IMAGE,
      environment: {
        EOFN_FUNCTION: fn,
        EOFN_FUNCTION_PREFIX: FUNCTION_PREFIX,
        EOFN_GATEWAY_URL: 'http://gateway.openfaas:8080',
        // The lease outlives the watchdog's timeout, so only a dead or timed-out call loses its claim.
        EOFN_LEASE_SECONDS: String(s.timeoutSeconds + 60),
        ...shared,
        mode: 'http',
        upstream_url: 'http://127.0.0.1:3000',
        exec_timeout: timeout,
        read_timeout: timeout,
        write_timeout: timeout,
        healthcheck_interval: '5s',
      },
      secrets,
      limits: { memory, cpu: s.memoryMb >= 1769 ? '1' : '250m' },
      requests: { memory, cpu: s.memoryMb >= 1769 ? '1' : '100m' },
      labels: {
        'com.openfaas.scale.min': '1',
        'com.openfaas.scale.max': String(s.maxReplicas ?? 5),
        'eofn/function': fn,
      },
      ...(s.schedule ? { annotations: { topic: 'cron-function', schedule: s.schedule } } : {}),
    }];
  }));
  return {
    version: '1.0',
    provider: { name: 'openfaas', gateway: opts.gatewayUrl ?? 'http://127.0.0.1:8080' },
    functions,
  };
}

/** The stack file's text, with a header naming its source (the committed files are this, byte for byte). */
export function renderStackYaml(provider: Provider, opts: RenderOptions = {}): string {
  return `# eofn on ${provider.name}: rendered by scripts/deploy-openfaas.ts from openfaas/providers/${provider.name}.json; do not edit.\n`
    + `# The image is built by openfaas/Dockerfile; EOFN_FUNCTION picks each function's handler.\n`
    + toYaml(renderStack(provider, opts));
}
