/**
 * The layer rules of docs/architecture.md, checked on every import of every `.ts` file under functions/,
 * infra/, openfaas/deploy/ and the tools: dependencies point inward (`layers.ts`), the core imports no cloud
 * SDK, the platform adapters do not import each other, and no two files import each other, directly or round
 * a circle (dynamic `import()` and `import type` count).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importCircles, importEdges, sourceFiles, type ImportEdge } from './importGraph.ts';
import { CHECKED_DIRS, CLOUD_PACKAGES, DEPLOY_PACKAGES, layerOf, layerTable } from './layers.ts';

/**
 * Imports that break a rule today, each with the reason it is tolerated and what removes it. Keep this short:
 * a new entry needs a reason a reviewer accepts, and an entry whose import is gone fails a test below, so the
 * list shrinks as the work lands.
 */
const ALLOWED: { from: string; to: string }[] = [
  // By design: the CLI picks a platform at run time (`--backend aws|dias`), lazily, so `eofn run` loads no SDK.
  { from: 'functions/adapters/local/loadBackend.ts', to: 'functions/adapters/lambda/cliBackend.ts' },
  { from: 'functions/adapters/local/loadBackend.ts', to: 'functions/adapters/openfaas/cliBackend.ts' },
];

const edges = importEdges(CHECKED_DIRS);
const allowed = (e: ImportEdge) => ALLOWED.some((a) => a.from === e.from && a.to === e.to);
const checked = edges.filter((e) => !allowed(e));
const show = (list: ImportEdge[]) => list.map((e) => `${e.from}:${e.line} -> ${e.to} (${e.kind})`);

describe('import rules (docs/architecture.md)', () => {
  it('reads a real graph: hundreds of imports, the known ones among them', () => {
    expect(edges.length).toBeGreaterThan(500);
    expect(edges).toContainEqual(expect.objectContaining({ from: 'functions/core/engine/planJob.ts', to: 'functions/core/ops/registry.ts' }));
    expect(edges).toContainEqual(expect.objectContaining({ from: 'functions/adapters/local/loadBackend.ts', kind: 'dynamic' }));
  });

  it('puts every checked file in a layer', () => {
    const homeless = sourceFiles(CHECKED_DIRS).filter((f) => !layerOf(f));
    expect(homeless, `files outside every layer of test/unit/architecture/layers.ts:\n${homeless.join('\n')}`).toEqual([]);
  });

  it('has no import from a layer to one it may not use (inward only; adapters not into each other)', () => {
    const bad = checked.filter((e) => {
      if (!e.to.endsWith('.ts')) return false;
      const from = layerOf(e.from)!, to = layerOf(e.to);
      return !to || (to.id !== from.id && !from.mayImport.includes(to.id));
    });
    expect(show(bad), 'imports against the layer rules of test/unit/architecture/layers.ts').toEqual([]);
  });

  it('keeps cloud SDKs out of the core and deploy-time libraries out of the functions', () => {
    const core = (f: string) => ['blocks', 'ops', 'engine', 'lifecycle'].includes(layerOf(f)!.id);
    const bad = checked.filter((e) => (core(e.from) && CLOUD_PACKAGES.some((p) => p.test(e.to)))
      || (e.from.startsWith('functions/') && DEPLOY_PACKAGES.some((p) => p.test(e.to))));
    expect(show(bad), 'packages the importing layer may not use').toEqual([]);
  });

  it('imports only literal specifiers, so the rules see every edge', () => {
    const unknown = edges.filter((e) => e.to === '?');
    expect(show(unknown), 'dynamic imports of a computed name').toEqual([]);
  });

  it('finds circles, lazy and type-only ones too, in a made-up graph', () => {
    const made = (from: string, to: string, kind: ImportEdge['kind'] = 'static'): ImportEdge => ({ from, to, line: 1, kind });
    const circles = importCircles([
      made('a.ts', 'b.ts'), made('b.ts', 'c.ts', 'type'), made('c.ts', 'a.ts', 'dynamic'), made('e.ts', 'a.ts'),
      made('d.ts', 'd.ts'), made('f.ts', 'zod'),
    ]);
    expect(circles).toEqual([['a.ts', 'b.ts', 'c.ts', 'a.ts'], ['d.ts', 'd.ts']]);
  });

  it('has no import circle between files', () => {
    const circles = importCircles(checked);
    expect(circles.map((c) => c.join(' -> ')), 'import circles (each a shortest one through its tangle):').toEqual([]);
  });

  it('allows only imports that still exist', () => {
    const stale = ALLOWED.filter((a) => !edges.some((e) => e.from === a.from && e.to === a.to));
    expect(stale.map((a) => `${a.from} -> ${a.to}`), 'allow-list entries whose import is gone: remove them from ALLOWED').toEqual([]);
  });

  it('is the table docs/architecture.md shows', () => {
    const page = readFileSync('docs/architecture.md', 'utf8');
    expect(page, `docs/architecture.md should contain, verbatim:\n${layerTable()}`).toContain(layerTable());
  });
});
