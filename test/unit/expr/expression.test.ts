import { describe, expect, it } from 'vitest';
import { assetsOf, MAX_EXPRESSION_DEPTH, MAX_EXPRESSION_LENGTH, MAX_EXPRESSION_TERMS, parseExpression } from '../../../functions/core/expr/parseExpression.ts';
import { compileExpression } from '../../../functions/core/expr/compileExpression.ts';

const run = (src: string, inputs: Record<string, number[]>) => {
  const ast = parseExpression(src);
  const names = assetsOf(ast);
  const out = new Float32Array(inputs[names[0]]?.length ?? 1);
  compileExpression(ast, names)(names.map((n) => Float32Array.from(inputs[n])), out);
  return Array.from(out);
};

describe('expressions', () => {
  it('lists assets in order of first appearance', () => {
    expect(assetsOf(parseExpression('(nir - red) / (nir + red)'))).toEqual(['nir', 'red']);
    expect(assetsOf(parseExpression('max(b2, b3) * 2 + b2'))).toEqual(['b2', 'b3']);
  });

  it('evaluates NDVI with operator precedence and NaN for non-finite results', () => {
    // Prepare
    const nir = [3000, 1000, 0, NaN], red = [1000, 1000, 0, 5];
    // Act
    const out = run('(nir - red) / (nir + red)', { nir, red });
    // Assess
    expect(out[0]).toBeCloseTo(0.5, 7);
    expect(out[1]).toBe(0);
    expect(out[2]).toBeNaN(); // 0/0
    expect(out[3]).toBeNaN();
  });

  it('supports unary minus, numbers, and the whitelisted functions', () => {
    const out = run('-a * 2 + sqrt(abs(b)) - min(a, b, 1) + clamp(a, 0, 1.5) + pow(a, 2)', { a: [2], b: [-9] });
    expect(out[0]).toBeCloseTo(-4 + 3 - -9 + 1.5 + 4, 5);
    expect(run('1 / a', { a: [0] })[0]).toBeNaN(); // inf is no value
    expect(run('2.5e1 + .5 * a', { a: [2] })[0]).toBe(26);
  });

  it.each([
    ['', 'empty expression'],
    ['(nir - red', 'expected ")" at end of expression'],
    ['nir +', 'expected a value at end of expression'],
    ['nir $ red', 'unexpected character "$" at 5'],
    ['foo(nir)', 'unknown function "foo" at 1'],
    ['sqrt(a, b)', 'sqrt() takes 1 argument(s), got 2'],
    ['nir red', 'unexpected token at 5 ("red")'],
  ])('rejects %j with a message that says where', (src, message) => {
    expect(() => parseExpression(src, 'params.expression')).toThrow(`params.expression: ${message}`);
  });

  it('cannot reach anything but the inputs: identifiers are assets, not JavaScript', () => {
    const out = run('process + constructor', { process: [1], constructor: [2] });
    expect(out[0]).toBe(3);
  });

  it.each([
    ['(nir-red)/(nir+red)', 0.5],
    ['(nir -red)/(nir+ red)', 0.5],
    ['nir-red', 2000],
    ['nir--red', 4000],
  ])('"-" is minus whatever the spacing: %j', (src, expected) => {
    expect(run(src, { nir: [3000], red: [1000] })[0]).toBeCloseTo(expected, 6);
  });

  it('a key with other characters is quoted in backticks, e.g. Earth Search\'s "red-jp2"', () => {
    const ast = parseExpression('(`nir-jp2` - `red-jp2`) / (`nir-jp2` + `red-jp2`)');
    expect(assetsOf(ast)).toEqual(['nir-jp2', 'red-jp2']);
    expect(run('`a b`-`c-d`', { 'a b': [5], 'c-d': [2] })[0]).toBe(3);
    expect(() => parseExpression('`red-jp2 + nir', 'params.expression')).toThrow('params.expression: unclosed ` opened at 1');
    expect(() => parseExpression('`` + nir', 'params.expression')).toThrow('params.expression: empty asset key `` at 1');
  });

  it('bounds size and nesting with a message, never a stack overflow', () => {
    // Prepare: the shapes a generator bug or a hostile job produce
    const long = Array.from({ length: 5000 }, () => 'a').join('+'); // 9,999 characters: within the length limit
    const deep = '('.repeat(4000) + 'nir' + ')'.repeat(4000);
    const negations = '-'.repeat(9000) + 'nir';
    const huge = '('.repeat(100_000) + 'nir' + ')'.repeat(100_000);
    // Act / Assess
    expect(() => parseExpression(long, 'params.expression')).toThrow(`params.expression: expression has 5000 values; at most ${MAX_EXPRESSION_TERMS} are allowed`);
    expect(() => parseExpression(deep, 'params.expression')).toThrow(`params.expression: expression nested deeper than ${MAX_EXPRESSION_DEPTH} levels at ${MAX_EXPRESSION_DEPTH + 1}`);
    expect(() => parseExpression(negations, 'p')).toThrow(/^p: expression nested deeper than/);
    expect(() => parseExpression(huge, 'p')).toThrow(`p: longer than ${MAX_EXPRESSION_LENGTH} characters`);
  });

  it('the largest allowed expression still compiles and evaluates', () => {
    const names = ['a', 'b'];
    const longest = Array.from({ length: MAX_EXPRESSION_TERMS }, (_, k) => names[k % 2]).join('-');
    const nested = '('.repeat(MAX_EXPRESSION_DEPTH) + 'a' + ')'.repeat(MAX_EXPRESSION_DEPTH);
    expect(run(longest, { a: [1], b: [1] })[0]).toBe(1 - (MAX_EXPRESSION_TERMS - 1));
    expect(run(`${nested} * 2`, { a: [3] })[0]).toBe(6);
  });
});
