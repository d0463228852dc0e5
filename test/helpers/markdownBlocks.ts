/**
 * The code a document shows, so tests check the docs as written: fenced JSON blocks and inline code spans
 * of README.md and docs/*.md.
 *
 * @example
 * for (const { file, json } of jsonBlocks()) expect(validate(json)).toBe(true);
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const DOC_FILES = [resolve('README.md'), ...readdirSync(resolve('docs')).filter((f) => f.endsWith('.md')).map((f) => resolve('docs', f))];

/** Every fenced ```json block of the docs, parsed; a block that is not JSON fails the parse in the test. */
export function jsonBlocks(files = DOC_FILES): { file: string; line: number; json: unknown }[] {
  return files.flatMap((file) => {
    const text = readFileSync(file, 'utf8');
    return [...text.matchAll(/^( *)```json\n([\s\S]*?)^\1```/gm)].map((m) => ({
      file: file.replace(resolve('.') + '/', ''),
      line: text.slice(0, m.index).split('\n').length,
      json: JSON.parse(m[2]),
    }));
  });
}

/** Inline code spans (`…`) of the docs, outside fenced blocks. */
export function inlineCode(files = DOC_FILES): { file: string; code: string }[] {
  return files.flatMap((file) => {
    const prose = readFileSync(file, 'utf8').replace(/^ *```[\s\S]*?^ *```/gm, '');
    return [...prose.matchAll(/`([^`\n]+)`/g)].map((m) => ({ file: join(file).replace(resolve('.') + '/', ''), code: m[1] }));
  });
}
