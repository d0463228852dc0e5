/**
 * Property tests of the expression parser and compiler (issue 10): any text gives an AST or an InputError
 * (never another error, never a deep recursion, never a hang); any expression the grammar allows compiles
 * to a loop whose results equal a plain tree-walking evaluation in float64 rounded to float32.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../functions/core/errors.ts';
import { assetsOf, parseExpression, type Expr } from '../../functions/core/expr/parseExpression.ts';
import { compileExpression } from '../../functions/core/expr/compileExpression.ts';
import { CASE_BUDGET_MS, corpus, fuzzParameters, single } from './fuzzSettings.ts';

const ALPHABET = ['nir', 'red', 'b1', '1', '0', '2.5', '1e3', '.5', '(', ')', '+', '-', '*', '/', ',', ' ', 'min', 'max', 'abs', 'sqrt', 'log', 'exp', 'pow', 'clamp', 'foo', 'e', '.', '\n', '$', '`'];
const tokenSoup = fc.array(fc.constantFrom(...ALPHABET), { maxLength: 60 }).map((t) => t.join(''));
const nesting = fc.integer({ min: 1, max: 5000 }).chain((n) => fc.constantFrom('('.repeat(n) + 'nir' + ')'.repeat(n), '-'.repeat(n) + 'nir', 'nir+'.repeat(n) + 'nir'));

const ast: fc.Arbitrary<Expr> = fc.letrec<{ e: Expr }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('nir', 'red').map((name): Expr => ({ kind: 'asset', name })),
    fc.double({ min: 0, max: 1e6, noNaN: true }).map((value): Expr => ({ kind: 'num', value })),
    tie('e').map((arg): Expr => ({ kind: 'neg', arg })),
    fc.tuple(fc.constantFrom('+', '-', '*', '/') as fc.Arbitrary<'+' | '-' | '*' | '/'>, tie('e'), tie('e')).map(([op, left, right]): Expr => ({ kind: 'bin', op, left, right })),
    fc.tuple(fc.constantFrom('abs', 'sqrt', 'log', 'exp') as fc.Arbitrary<'abs'>, tie('e')).map(([fn, a]): Expr => ({ kind: 'call', fn, args: [a] })),
    fc.tuple(fc.constantFrom('min', 'max', 'pow') as fc.Arbitrary<'min'>, tie('e'), tie('e')).map(([fn, a, b]): Expr => ({ kind: 'call', fn, args: [a, b] })),
  ),
})).e;

function print(e: Expr): string {
  switch (e.kind) {
    case 'num': return String(e.value);
    case 'asset': return e.name;
    case 'neg': return `-(${print(e.arg)})`;
    case 'bin': return `(${print(e.left)}) ${e.op} (${print(e.right)})`;
    case 'call': return `${e.fn}(${e.args.map(print).join(', ')})`;
  }
}

function evaluate(e: Expr, env: Record<string, number>): number {
  switch (e.kind) {
    case 'num': return e.value;
    case 'asset': return env[e.name];
    case 'neg': return -evaluate(e.arg, env);
    case 'bin': {
      const [a, b] = [evaluate(e.left, env), evaluate(e.right, env)];
      return e.op === '+' ? a + b : e.op === '-' ? a - b : e.op === '*' ? a * b : a / b;
    }
    case 'call': return (Math[e.fn as 'min'] as (...v: number[]) => number)(...e.args.map((a) => evaluate(a, env)));
  }
}

describe('expressions (property)', () => {
  it('refuses the chains the fuzzer found (a 5000-term sum overflowed the stack), long texts and deep nesting', () => {
    for (const src of ['nir+'.repeat(5000) + 'nir', '('.repeat(100_000) + 'nir', '-'.repeat(100_000) + 'nir']) {
      expect(() => parseExpression(src)).toThrow(InputError);
    }
    expect(() => parseExpression('nir+'.repeat(5000) + 'nir')).toThrow(/longer than 10000 characters|nested deeper than 100 levels/);
  });

  it('parses any text into an AST that compiles, or refuses it with an InputError', () => {
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 200 }), tokenSoup, nesting), (src) => {
      const started = performance.now();
      try {
        const parsed = parseExpression(src);
        const f = compileExpression(parsed, assetsOf(parsed));
        f(assetsOf(parsed).map(() => Float32Array.of(1, -2, NaN)), new Float32Array(3));
      } catch (e) {
        expect(e).toBeInstanceOf(InputError);
      }
      expect(performance.now() - started).toBeLessThan(CASE_BUDGET_MS);
    }), fuzzParameters(single(corpus<string>('expressions.json'))));
  });

  it('computes what a tree-walking evaluation computes, rounded to float32, NaN where not finite', () => {
    const inputs = fc.array(fc.tuple(fc.float({ noDefaultInfinity: true }), fc.float({ noDefaultInfinity: true })), { minLength: 1, maxLength: 8 });
    fc.assert(fc.property(ast, inputs, (tree, pixels) => {
      const parsed = parseExpression(print(tree));
      const f = compileExpression(parsed, ['nir', 'red']);
      const nir = Float32Array.from(pixels.map((p) => p[0]));
      const red = Float32Array.from(pixels.map((p) => p[1]));
      const out = new Float32Array(pixels.length);
      f([nir, red], out);
      pixels.forEach((_, i) => {
        const r = evaluate(tree, { nir: nir[i], red: red[i] });
        expect(out[i]).toBe(Number.isFinite(r) ? Math.fround(r) : NaN);
      });
    }), fuzzParameters());
  });
});
