/**
 * What OpenFaaS itself accepts, encoded from its source so a stack is checked before it is deployed:
 * faas-cli's stack file schema (the Go structs it parses the YAML into; yaml.v3 there silently drops
 * unknown keys, so we refuse them: a misspelt `readonly_root_filesystem` would otherwise be lost) and
 * faas-netes' Community Edition validation of each deploy request. Each rule links the lines it encodes.
 *
 * @example
 * stackProblems(YAML.parse(text));            // [] for a stack faas-cli reads as written
 * ceProblems(renderStack(provider, editionOf('ce'))); // [] when CE accepts every function
 */
import { z } from 'zod';

const FAAS_CLI = 'https://github.com/openfaas/faas-cli/blob/c8191b71e7edf10be3b660ddcaee52c11de79238';
const FAAS_NETES = 'https://github.com/openfaas/faas-netes/blob/662ce9ce36ec4a32467773c308807bd5d58f5ae6';

const SOURCES = {
  stackSchema: `${FAAS_CLI}/vendor/github.com/openfaas/go-sdk/stack/schema.go#L7-L112`,
  providerName: `${FAAS_CLI}/vendor/github.com/openfaas/go-sdk/stack/stack.go#L98-L100`,
  schemaVersion: `${FAAS_CLI}/vendor/github.com/openfaas/go-sdk/stack/stack.go#L26-L29`,
  envsubst: `${FAAS_CLI}/commands/deploy.go#L72`,
  imageTag: `${FAAS_CLI}/schema/image.go#L73-L78`,
  serviceName: `${FAAS_NETES}/pkg/handlers/validate.go#L21-L34`,
  imageRequired: `${FAAS_NETES}/pkg/handlers/validate.go#L48-L50`,
  scaleLabels: `${FAAS_NETES}/pkg/handlers/validate.go#L59-L99`,
  maxReplicas: `${FAAS_NETES}/pkg/handlers/replica_reader.go#L23-L25`,
  maxFunctions: `${FAAS_NETES}/pkg/handlers/deploy.go#L96-L100`,
  /** CE deploys only to the chart's `functionNamespace`: `--namespace` must name that one. */
  namespace: `${FAAS_NETES}/pkg/handlers/deploy.go#L64-L67`,
  publicImage: `${FAAS_NETES}/pkg/handlers/validate.go#L101-L123`,
} as const;

/** faas-netes CE: `MaxReplicas = 5`, `MaxFunctions = 15`. */
const CE_MAX_REPLICAS = 5;
const CE_MAX_FUNCTIONS = 15;

const stringMap = z.record(z.string(), z.string());
const resources = z.strictObject({ memory: z.string().optional(), cpu: z.string().optional() });

/** faas-cli's `stack.Function`, field by field (yaml tags), with the types the Go struct demands. */
const FunctionSchema = z.strictObject({
  lang: z.string().optional(),
  handler: z.string().optional(),
  image: z.string(),
  fprocess: z.string().optional(),
  environment: stringMap.optional(),
  secrets: z.array(z.string()).optional(),
  skip_build: z.boolean().optional(),
  constraints: z.array(z.string()).optional(),
  environment_file: z.array(z.string()).optional(),
  labels: stringMap.optional(),
  limits: resources.optional(),
  requests: resources.optional(),
  readonly_root_filesystem: z.boolean().optional(),
  build_options: z.array(z.string()).optional(),
  annotations: stringMap.optional(),
  namespace: z.string().optional(),
  build_args: stringMap.optional(),
  platforms: z.string().optional(),
  build_secrets: stringMap.optional(),
});

const ServicesSchema = z.strictObject({
  version: z.string().optional(),
  functions: z.record(z.string(), FunctionSchema).optional(),
  provider: z.strictObject({ name: z.string(), gateway: z.string().optional() }),
  configuration: z.strictObject({
    templates: z.array(z.strictObject({ name: z.string(), source: z.string().optional() })).optional(),
    copy: z.array(z.string()).optional(),
  }).optional(),
});

/** Problems faas-cli would have with a parsed stack file, or silently drop; [] when it reads as written. */
export function stackProblems(stack: unknown): string[] {
  const parsed = ServicesSchema.safeParse(stack);
  if (!parsed.success) {
    return parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message} (${SOURCES.stackSchema})`);
  }
  const s = parsed.data;
  const out: string[] = [];
  if (s.provider.name !== 'openfaas') out.push(`provider.name must be "openfaas" (${SOURCES.providerName})`);
  if (s.version !== undefined && s.version !== '1.0') out.push(`version must be "1.0" (${SOURCES.schemaVersion})`);
  for (const [name, f] of Object.entries(s.functions ?? {})) {
    // `faas-cli deploy` substitutes ${VAR} in the whole file by default.
    for (const [k, v] of Object.entries({ ...f.environment, ...f.labels, ...f.annotations, image: f.image })) {
      if (v.includes('$')) out.push(`${name}.${k}: "$" would be substituted by faas-cli's envsubst (${SOURCES.envsubst})`);
    }
    // An image whose last path segment has no ":" gets ":latest" appended.
    if (!f.image.split('/').pop()!.includes(':')) out.push(`${name}.image: "${f.image}" has no tag or digest; faas-cli appends :latest (${SOURCES.imageTag})`);
  }
  return out;
}

/** Problems faas-netes CE would answer the deploy requests of a stack with; [] when it accepts them all. */
export function ceProblems(stack: { functions?: Record<string, { image?: string; labels?: Record<string, string> }> }): string[] {
  const out: string[] = [];
  const functions = stack.functions ?? {};
  const names = Object.keys(functions);
  if (names.length > CE_MAX_FUNCTIONS) out.push(`${names.length} functions: CE deploys at most ${CE_MAX_FUNCTIONS} (${SOURCES.maxFunctions})`);
  for (const [name, f] of Object.entries(functions)) {
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) out.push(`${name}: not a valid DNS name (${SOURCES.serviceName})`);
    if (!f.image) out.push(`${name}: image is required (${SOURCES.imageRequired})`);
    const labels = f.labels ?? {};
    if (labels['com.openfaas.scale.zero'] === 'true') out.push(`${name}: com.openfaas.scale.zero not available for Community Edition (${SOURCES.scaleLabels})`);
    for (const key of ['com.openfaas.scale.zero-duration', 'com.openfaas.scale.target', 'com.openfaas.scale.type']) {
      if (key in labels) out.push(`${name}: ${key} not available for Community Edition (${SOURCES.scaleLabels})`);
    }
    for (const key of ['com.openfaas.scale.max', 'com.openfaas.scale.min']) {
      // Go's strconv.Atoi: only a plain integer is compared; anything else passes this check.
      const v = labels[key];
      if (v !== undefined && /^[+-]?\d+$/.test(v) && Number(v) > CE_MAX_REPLICAS) {
        out.push(`${name}: ${key}=${v} is set too high for Community Edition (max ${CE_MAX_REPLICAS}) (${SOURCES.scaleLabels})`);
      }
    }
  }
  return out;
}
