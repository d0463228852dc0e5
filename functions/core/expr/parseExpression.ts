/**
 * Band-maths expressions: `+ - * /`, unary minus, parentheses, numbers, asset names and a few functions.
 * Parsed by hand (not `eval`) so that a job can only ever name assets and whitelisted functions.
 * `-` is always minus, whatever the spacing (`nir-red` is nir minus red); a key with other characters
 * than letters, digits, `_`, `.` and `:` is quoted in backticks (`` `red-jp2` ``, as Earth Search names
 * its JPEG2000 assets). Size and nesting are bounded so that a hostile job fails here, by path, and never
 * exhausts the stack of the parser or of the code the compiler generates.
 *
 * @example
 * const ast = parseExpression('(nir-red)/(nir+red)');
 * assetsOf(ast); // ['nir', 'red']
 * assetsOf(parseExpression('`nir-jp2` - `red-jp2`')); // ['nir-jp2', 'red-jp2']
 */
import { InputError } from '../errors.ts';

export type Expr =
  | { kind: 'num'; value: number }
  | { kind: 'asset'; name: string }
  | { kind: 'neg'; arg: Expr }
  | { kind: 'bin'; op: '+' | '-' | '*' | '/'; left: Expr; right: Expr }
  | { kind: 'call'; fn: FunctionName; args: Expr[] };

/** Function name -> number of arguments (-1: two or more). */
const FUNCTIONS = { min: -1, max: -1, abs: 1, sqrt: 1, log: 1, exp: 1, pow: 2, clamp: 3 } as const;
export type FunctionName = keyof typeof FUNCTIONS;

/** More values than this (numbers and asset names) is not band maths but an attack or a generator bug. */
export const MAX_EXPRESSION_TERMS = 1000;
/** Deepest nesting of parentheses, function calls and unary minus. */
export const MAX_EXPRESSION_DEPTH = 64;
/** Depth of the parsed tree the compiler recurses on: a chain of every allowed value, nested as deep as allowed. */
const MAX_TREE_DEPTH = MAX_EXPRESSION_TERMS + MAX_EXPRESSION_DEPTH;
/** Longer text is refused before it is even tokenized: parsing and compiling cost stays linear and bounded. */
export const MAX_EXPRESSION_LENGTH = 10_000;

type Token = { type: 'num' | 'id' | 'key' | 'op' | '(' | ')' | ','; text: string; pos: number };

function tokenize(src: string, where: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(?:(\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|([A-Za-z_][A-Za-z0-9_:.]*)|([-+*/])|([(),])|`([^`]*)(`?))/y;
  let pos = 0;
  while (pos < src.length) {
    if (/^\s*$/.test(src.slice(pos))) break;
    re.lastIndex = pos;
    const m = re.exec(src);
    if (!m) {
      const at = pos + (src.slice(pos).length - src.slice(pos).trimStart().length);
      throw new InputError(where, `unexpected character "${src[at]}" at ${at + 1}`);
    }
    if (m[5] !== undefined) {
      const start = m.index + m[0].indexOf('`');
      if (!m[6]) throw new InputError(where, `unclosed \` opened at ${start + 1}`);
      if (!m[5]) throw new InputError(where, `empty asset key \`\` at ${start + 1}`);
      tokens.push({ type: 'key', text: m[5], pos: start });
      pos = re.lastIndex;
      continue;
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
export function parseExpression(src: string, where = 'expression'): Expr {
  if (src.length > MAX_EXPRESSION_LENGTH) throw new InputError(where, `longer than ${MAX_EXPRESSION_LENGTH} characters`);
  const tokens = tokenize(src, where);
  const terms = tokens.filter((t) => t.type === 'num' || t.type === 'id' || t.type === 'key').length;
  if (terms > MAX_EXPRESSION_TERMS) {
    throw new InputError(where, `expression has ${terms} values; at most ${MAX_EXPRESSION_TERMS} are allowed`);
  }
  let i = 0;
  let depth = 0;
  const deeper = (t: Token) => {
    if (++depth > MAX_EXPRESSION_DEPTH) {
      throw new InputError(where, `expression nested deeper than ${MAX_EXPRESSION_DEPTH} levels at ${t.pos + 1}`);
    }
  };
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
    const t = peek();
    if (t?.type === 'op' && (t.text === '-' || t.text === '+')) {
      i++;
      deeper(t);
      const arg = unary();
      depth--;
      return t.text === '-' ? { kind: 'neg', arg } : arg;
    }
    return primary();
  }
  function primary(): Expr {
    const t = peek();
    if (!t) return fail('expected a value');
    if (t.type === 'num') { i++; return { kind: 'num', value: Number(t.text) }; }
    if (t.type === 'key') { i++; return { kind: 'asset', name: t.text }; }
    if (t.type === '(') { i++; deeper(t); const e = sum(); expect(')'); depth--; return e; }
    if (t.type === 'id') {
      i++;
      if (peek()?.type !== '(') return { kind: 'asset', name: t.text };
      if (!(t.text in FUNCTIONS)) {
        throw new InputError(where, `unknown function "${t.text}" at ${t.pos + 1}; known: ${Object.keys(FUNCTIONS).join(', ')}`);
      }
      i++;
      deeper(t);
      const args: Expr[] = [];
      if (peek()?.type !== ')') { args.push(sum()); while (peek()?.type === ',') { i++; args.push(sum()); } }
      expect(')');
      depth--;
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
  // `a+b+c+…` nests to the left without recursing here; the compiler and evaluators recurse on it. The
  // limits above already bound it; this keeps that true whatever the grammar grows into.
  if (treeDepth(ast) > MAX_TREE_DEPTH) throw new InputError(where, `expression tree deeper than ${MAX_TREE_DEPTH} levels`);
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
