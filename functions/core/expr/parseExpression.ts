/**
 * Band-maths expressions: `+ - * /`, unary minus, parentheses, numbers, asset names and a few functions.
 * Parsed by hand (not `eval`) so that a job can only ever name assets and whitelisted functions.
 *
 * @example
 * const ast = parseExpression('(nir - red) / (nir + red)');
 * assetsOf(ast); // ['nir', 'red']
 */
import { InputError } from '../errors.ts';

export type Expr =
  | { kind: 'num'; value: number }
  | { kind: 'asset'; name: string }
  | { kind: 'neg'; arg: Expr }
  | { kind: 'bin'; op: '+' | '-' | '*' | '/'; left: Expr; right: Expr }
  | { kind: 'call'; fn: FunctionName; args: Expr[] };

/** Function name -> number of arguments (-1: two or more). */
export const FUNCTIONS = { min: -1, max: -1, abs: 1, sqrt: 1, log: 1, exp: 1, pow: 2, clamp: 3 } as const;
export type FunctionName = keyof typeof FUNCTIONS;

type Token = { type: 'num' | 'id' | 'op' | '(' | ')' | ','; text: string; pos: number };

function tokenize(src: string, where: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(?:(\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|([A-Za-z_][A-Za-z0-9_:.-]*)|([-+*/])|([(),]))/y;
  let pos = 0;
  while (pos < src.length) {
    if (/^\s*$/.test(src.slice(pos))) break;
    re.lastIndex = pos;
    const m = re.exec(src);
    if (!m) {
      const at = pos + (src.slice(pos).length - src.slice(pos).trimStart().length);
      throw new InputError(where, `unexpected character "${src[at]}" at ${at + 1}`);
    }
    const start = m.index + m[0].length - (m[1] ?? m[2] ?? m[3] ?? m[4]).length;
    if (m[1] !== undefined) tokens.push({ type: 'num', text: m[1], pos: start });
    else if (m[2] !== undefined) tokens.push({ type: 'id', text: m[2], pos: start });
    else if (m[3] !== undefined) tokens.push({ type: 'op', text: m[3], pos: start });
    else tokens.push({ type: m[4] as '(' | ')' | ',', text: m[4], pos: start });
    pos = re.lastIndex;
  }
  return tokens;
}

/** Parses `src`; errors name `where` (a JSON path such as `params.expression`) and the position. */
/** Bounds on what a job may send: parsing and compiling cost stays linear and the stack shallow. */
export const MAX_EXPRESSION_LENGTH = 10_000;
export const MAX_EXPRESSION_DEPTH = 100;

export function parseExpression(src: string, where = 'expression'): Expr {
  if (src.length > MAX_EXPRESSION_LENGTH) throw new InputError(where, `longer than ${MAX_EXPRESSION_LENGTH} characters`);
  const tokens = tokenize(src, where);
  let i = 0;
  let depth = 0;
  const peek = () => tokens[i];
  const fail = (msg: string): never => {
    const t = peek();
    throw new InputError(where, `${msg} ${t ? `at ${t.pos + 1} ("${t.text}")` : 'at end of expression'}`);
  };
  const expect = (type: Token['type']) => (peek()?.type === type ? tokens[i++] : fail(`expected "${type}"`));

  function sum(): Expr {
    let left = product();
    while (peek()?.type === 'op' && (peek().text === '+' || peek().text === '-')) {
      const op = tokens[i++].text as '+' | '-';
      left = { kind: 'bin', op, left, right: product() };
    }
    return left;
  }
  function product(): Expr {
    let left = unary();
    while (peek()?.type === 'op' && (peek().text === '*' || peek().text === '/')) {
      const op = tokens[i++].text as '*' | '/';
      left = { kind: 'bin', op, left, right: unary() };
    }
    return left;
  }
  function unary(): Expr {
    if (++depth > MAX_EXPRESSION_DEPTH) fail(`nested deeper than ${MAX_EXPRESSION_DEPTH} levels`);
    try {
      if (peek()?.type === 'op' && peek().text === '-') { i++; return { kind: 'neg', arg: unary() }; }
      if (peek()?.type === 'op' && peek().text === '+') { i++; return unary(); }
      return primary();
    } finally {
      depth--;
    }
  }
  function primary(): Expr {
    const t = peek();
    if (!t) return fail('expected a value');
    if (t.type === 'num') { i++; return { kind: 'num', value: Number(t.text) }; }
    if (t.type === '(') { i++; const e = sum(); expect(')'); return e; }
    if (t.type === 'id') {
      i++;
      if (peek()?.type !== '(') return { kind: 'asset', name: t.text };
      if (!(t.text in FUNCTIONS)) {
        throw new InputError(where, `unknown function "${t.text}" at ${t.pos + 1}; known: ${Object.keys(FUNCTIONS).join(', ')}`);
      }
      i++;
      const args: Expr[] = [];
      if (peek()?.type !== ')') { args.push(sum()); while (peek()?.type === ',') { i++; args.push(sum()); } }
      expect(')');
      const arity: number = FUNCTIONS[t.text as FunctionName];
      if (arity === -1 ? args.length < 2 : args.length !== arity) {
        throw new InputError(where, `${t.text}() takes ${arity === -1 ? 'two or more arguments' : `${arity} argument(s)`}, got ${args.length}`);
      }
      return { kind: 'call', fn: t.text as FunctionName, args };
    }
    return fail('expected a value');
  }

  if (tokens.length === 0) throw new InputError(where, 'empty expression');
  const ast = sum();
  if (i < tokens.length) fail('unexpected token');
  // `a+b+c+…` nests to the left without recursing here; the compiler and evaluators recurse on it.
  if (treeDepth(ast) > MAX_EXPRESSION_DEPTH) throw new InputError(where, `nested deeper than ${MAX_EXPRESSION_DEPTH} levels`);
  return ast;
}

/** Depth of the tree, walked without recursion (it may be deeper than the stack allows). */
function treeDepth(root: Expr): number {
  let max = 0;
  const stack: [Expr, number][] = [[root, 1]];
  while (stack.length) {
    const [e, d] = stack.pop()!;
    if (d > max) max = d;
    if (e.kind === 'neg') stack.push([e.arg, d + 1]);
    else if (e.kind === 'bin') stack.push([e.left, d + 1], [e.right, d + 1]);
    else if (e.kind === 'call') for (const a of e.args) stack.push([a, d + 1]);
  }
  return max;
}

/** Asset names in order of first appearance: the first one decides the default output grid. */
export function assetsOf(expr: Expr, out: string[] = []): string[] {
  switch (expr.kind) {
    case 'asset': if (!out.includes(expr.name)) out.push(expr.name); break;
    case 'neg': assetsOf(expr.arg, out); break;
    case 'bin': assetsOf(expr.left, out); assetsOf(expr.right, out); break;
    case 'call': for (const a of expr.args) assetsOf(a, out); break;
  }
  return out;
}
