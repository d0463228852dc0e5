/**
 * Every import between the project's TypeScript files, read with the TypeScript parser: static imports,
 * re-exports, `import type`, dynamic `import('…')` and `import('…').Type` all count, since each makes one file
 * depend on another (a lazy import still closes a circle, it only hides it until run time).
 *
 * @example
 * const edges = importEdges(['functions', 'infra']);
 * edges.filter((e) => e.to === '@aws-sdk/client-s3'); // who talks to S3
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** One import: `from` and `to` are repository-relative paths, or a package name for `to` outside the tree. */
export interface ImportEdge {
  from: string;
  to: string;
  line: number;
  kind: 'static' | 'type' | 'dynamic';
}

const ROOT = resolve(import.meta.dirname, '../../..');

/** The `.ts` files under `dirs` (repository-relative), skipping node_modules and `cdk.out`. */
export function sourceFiles(dirs: string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && entry.name !== 'cdk.out') walk(path);
      } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(path);
    }
  };
  for (const dir of dirs) walk(dir);
  return out.sort();
}

/** The imports of every `.ts` file under `dirs`; a dynamic import of a computed name is returned as `to: '?'`. */
export function importEdges(dirs: string[]): ImportEdge[] {
  return sourceFiles(dirs).flatMap((file) => importsOf(file));
}

function importsOf(file: string): ImportEdge[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const edges: ImportEdge[] = [];
  const add = (specifier: ts.Expression | undefined, kind: ImportEdge['kind'], at: ts.Node) => {
    const line = source.getLineAndCharacterOfPosition(at.getStart(source)).line + 1;
    const to = specifier && ts.isStringLiteralLike(specifier) ? target(file, specifier.text) : '?';
    edges.push({ from: file, to, line, kind });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node)) {
      const typeOnly = node.importClause?.isTypeOnly
        || (!!node.importClause && !node.importClause.name && !!node.importClause.namedBindings
          && ts.isNamedImports(node.importClause.namedBindings)
          && node.importClause.namedBindings.elements.length > 0
          && node.importClause.namedBindings.elements.every((e) => e.isTypeOnly));
      add(node.moduleSpecifier, typeOnly ? 'type' : 'static', node);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
      add(node.moduleSpecifier, node.isTypeOnly ? 'type' : 'static', node);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node.arguments[0], 'dynamic', node);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal as ts.Expression, 'type', node);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return edges;
}

/** A relative specifier as a repository path; a package specifier as its package name (`@scope/name`, `name`). */
function target(file: string, specifier: string): string {
  if (specifier.startsWith('.')) return relative(ROOT, resolve(ROOT, dirname(file), specifier));
  if (specifier.startsWith('node:')) return specifier;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/**
 * The import circles among files, each as the list of files around it (first file repeated at the end), found
 * as the strongly connected components of the graph: one circle reported per component, the shortest through
 * its first file, so a tangle of many files is one finding rather than hundreds.
 */
export function importCircles(edges: ImportEdge[]): string[][] {
  const next = new Map<string, Set<string>>();
  for (const e of edges) {
    if (!next.has(e.from)) next.set(e.from, new Set());
    if (e.to.endsWith('.ts')) next.get(e.from)!.add(e.to);
  }
  const components = stronglyConnected(next);
  return components.filter((c) => c.length > 1 || next.get(c[0])?.has(c[0])).map((c) => shortestCircle(c[0], new Set(c), next));
}

/** Tarjan's algorithm, iterative so a deep chain of imports cannot overflow the stack. */
function stronglyConnected(next: Map<string, Set<string>>): string[][] {
  const index = new Map<string, number>(), low = new Map<string, number>(), onStack = new Set<string>();
  const stack: string[] = [], out: string[][] = [];
  let counter = 0;
  for (const start of [...next.keys()].sort()) {
    if (index.has(start)) continue;
    const work: { node: string; children: string[]; i: number }[] = [];
    const open = (node: string) => {
      index.set(node, counter); low.set(node, counter++); stack.push(node); onStack.add(node);
      work.push({ node, children: [...(next.get(node) ?? [])].sort(), i: 0 });
    };
    open(start);
    while (work.length) {
      const top = work[work.length - 1];
      if (top.i < top.children.length) {
        const child = top.children[top.i++];
        if (!index.has(child)) open(child);
        else if (onStack.has(child)) low.set(top.node, Math.min(low.get(top.node)!, index.get(child)!));
        continue;
      }
      work.pop();
      if (work.length) low.set(work[work.length - 1].node, Math.min(low.get(work[work.length - 1].node)!, low.get(top.node)!));
      if (low.get(top.node) === index.get(top.node)) {
        const component: string[] = [];
        let node: string;
        do { node = stack.pop()!; onStack.delete(node); component.push(node); } while (node !== top.node);
        out.push(component.sort());
      }
    }
  }
  return out.sort((a, b) => a[0].localeCompare(b[0]));
}

/** Breadth-first from `start` back to itself inside one component. */
function shortestCircle(start: string, within: Set<string>, next: Map<string, Set<string>>): string[] {
  const parent = new Map<string, string>();
  const queue = [start];
  while (queue.length) {
    const node = queue.shift()!;
    for (const child of [...(next.get(node) ?? [])].sort()) {
      if (!within.has(child)) continue;
      if (child === start) {
        const path: string[] = [];
        for (let n = node; n !== start; n = parent.get(n)!) path.unshift(n);
        return [start, ...path, start];
      }
      if (!parent.has(child)) { parent.set(child, node); queue.push(child); }
    }
  }
  return [start];
}
