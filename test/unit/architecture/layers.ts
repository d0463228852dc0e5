/**
 * The layers of eofn and what each may import: the one definition that `importRules.test.ts` enforces and
 * `docs/architecture.md` shows (a test checks the page's table against `layerTable()`).
 *
 * A file belongs to the layer whose folder holds it; it may import files of its own layer and of the layers
 * its `mayImport` names, nothing else. Dependencies point inward: deployment → adapters → engine → ops →
 * building blocks.
 *
 * @example
 * layerOf('functions/core/ops/composite/composite.ts')?.id; // 'ops'
 */

/** One layer: the folders (or files) it holds, what it is for, the layers it may import. */
export interface Layer {
  id: string;
  folders: string[];
  holds: string;
  mayImport: string[];
}

const CORE = ['blocks', 'ops', 'engine', 'lifecycle'];

export const LAYERS: Layer[] = [
  {
    id: 'blocks',
    folders: [
      'functions/core/errors.ts', 'functions/core/contract', 'functions/core/plan', 'functions/core/io', 'functions/core/raster',
      'functions/core/vector', 'functions/core/geo', 'functions/core/expr', 'functions/core/stac', 'functions/core/table',
      'functions/core/chart', 'functions/core/arrivals',
      // The ops' part of the job contract: what a job may say (params, reducer names) and each op's descriptor.
      'functions/core/ops/opDescriptor.ts', 'functions/core/ops/descriptors.ts', 'functions/core/ops/opParams.ts', 'functions/core/ops/reducers.ts',
      'functions/core/ops/tile-reduce/params.ts', 'functions/core/ops/tile-reduce/descriptor.ts',
      'functions/core/ops/composite/params.ts', 'functions/core/ops/composite/descriptor.ts',
      'functions/core/ops/coherence-merge/params.ts', 'functions/core/ops/coherence-merge/descriptor.ts',
      'functions/core/ops/parcel-aggregate/params.ts', 'functions/core/ops/parcel-aggregate/descriptor.ts',
    ],
    holds: 'building blocks: job contract (with the ops\' params and descriptors), planning arithmetic, storage, raster read/COG write/preview/warp, vectors, CRS, expressions, STAC, tables, charts, arrival rules',
    mayImport: [],
  },
  { id: 'ops', folders: ['functions/core/ops'], holds: 'the four operations (plan, run a partition, merge) and their registry', mayImport: ['blocks'] },
  { id: 'engine', folders: ['functions/core/engine'], holds: 'a job from file to product: prepare, plan, run partitions, finalize; messages and job records', mayImport: ['blocks', 'ops'] },
  { id: 'lifecycle', folders: ['functions/core/lifecycle'], holds: 'one job lifecycle: the status vocabulary, the JobStateStore both clouds implement, acceptJob', mayImport: ['blocks', 'ops', 'engine'] },
  { id: 'adapters/shared', folders: ['functions/adapters/shared'], holds: 'what more than one platform needs: S3 storage, AWS clients, limits from the environment', mayImport: CORE },
  { id: 'adapters/lambda', folders: ['functions/adapters/lambda'], holds: 'AWS Lambda handlers: SQS/S3/DynamoDB events to core calls', mayImport: [...CORE, 'adapters/shared'] },
  { id: 'adapters/openfaas', folders: ['functions/adapters/openfaas'], holds: 'OpenFaaS handlers on DIAS: HTTP calls and PostgreSQL state to core calls', mayImport: [...CORE, 'adapters/shared'] },
  { id: 'adapters/local', folders: ['functions/adapters/local'], holds: 'the `eofn` CLI and the local worker pool', mayImport: [...CORE, 'adapters/shared'] },
  { id: 'infra', folders: ['infra'], holds: 'AWS CDK app: the stack that deploys the Lambda adapter', mayImport: [...CORE, 'adapters/shared', 'adapters/lambda'] },
  { id: 'openfaas/deploy', folders: ['openfaas/deploy'], holds: 'OpenFaaS/Kubernetes deploy tooling: stack, Helm values, manifests', mayImport: [...CORE, 'adapters/shared', 'adapters/openfaas'] },
  {
    id: 'tools',
    folders: ['bin', 'scripts', 'bench'],
    holds: 'entry script, deploy and scale scripts, benchmarks',
    mayImport: [...CORE, 'adapters/shared', 'adapters/lambda', 'adapters/openfaas', 'adapters/local', 'infra', 'openfaas/deploy', 'test'],
  },
];

/** Folders whose files the rules read; `test/` is not a layer, only tools may import from it. */
export const CHECKED_DIRS = LAYERS.flatMap((l) => l.folders).filter((f) => !f.endsWith('.ts'));

/** Packages that tie code to a cloud or a platform: the core imports none of them. */
export const CLOUD_PACKAGES = [/^@aws-sdk\//, /^@aws-lambda-powertools\//, /^@middy\//, /^aws-lambda$/, /^pg$/];

/** Deploy-time libraries: nothing under `functions/` imports them (they would end up in the function bundles). */
export const DEPLOY_PACKAGES = [/^aws-cdk-lib$/, /^constructs$/, /^cdk-nag$/, /^kubernetes-models$/, /^yaml$/];

/** The layer holding `path` (repository-relative), by the longest folder that contains it. */
export function layerOf(path: string): Layer | undefined {
  let best: { layer: Layer; length: number } | undefined;
  for (const layer of LAYERS) {
    for (const folder of layer.folders) {
      if ((path === folder || path.startsWith(folder + '/')) && folder.length > (best?.length ?? -1)) best = { layer, length: folder.length };
    }
  }
  if (!best && (path === 'test' || path.startsWith('test/'))) return { id: 'test', folders: ['test'], holds: 'tests', mayImport: [] };
  return best?.layer;
}

/** The markdown table of layers that docs/architecture.md shows, highest layer first. */
export function layerTable(): string {
  const rows = [...LAYERS].reverse().map((l) => {
    const folders = l.folders.map((f) => '`' + f + '`').join(', ');
    const everything = LAYERS.every((other) => other === l || l.mayImport.includes(other.id));
    const uses = everything ? 'every layer, and `test/`' : l.mayImport.length ? l.mayImport.map((id) => '`' + id + '`').join(', ') : 'nothing but itself';
    return `| \`${l.id}\` | ${folders} | ${l.holds} | ${uses} |`;
  });
  return ['| Layer | Folders | Holds | May import |', '| --- | --- | --- | --- |', ...rows].join('\n');
}
