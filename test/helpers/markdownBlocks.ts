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

/**
 * Every JSON value shown in a fenced ```json or ```jsonc block of the docs (a jsonc block may hold several,
 * between `//` comments). A block that does not parse is returned with `error`, for the tests to judge:
 * a fragment (`"eofn:radiometry": [...]`) is fine to show, a job that does not parse is not.
 */
export function jsonBlocks(files = DOC_FILES): { file: string; line: number; json?: unknown; text: string; error?: string }[] {
  return files.flatMap((file) => {
    const text = readFileSync(file, 'utf8');
    return [...text.matchAll(/^( *)```jsonc?\n([\s\S]*?)^\1```/gm)].flatMap((m) => {
      const body = m[2].replace(/^\s*\/\/.*$/gm, '');
      const name = file.replace(resolve('.') + '/', '');
      return topLevelValues(body).map(({ start, value }) => {
        const line = text.slice(0, m.index).split('\n').length + body.slice(0, start).split('\n').length;
        try {
          return { file: name, line, text: value, json: JSON.parse(value) as unknown };
        } catch (e) {
          return { file: name, line, text: value, error: (e as Error).message };
        }
      });
    });
  });
}

/** Splits text into its top-level `{…}`/`[…]` values (braces inside strings do not count). */
function topLevelValues(text: string): { start: number; value: string }[] {
  const out: { start: number; value: string }[] = [];
  let depth = 0, start = -1, inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) { if (ch === '\\') i++; else if (ch === '"') inString = false; continue; }
    if (ch === '"') { inString = true; if (depth === 0 && start < 0) start = i; continue; }
    if (ch === '{' || ch === '[') { if (depth++ === 0 && start < 0) start = i; }
    else if (ch === '}' || ch === ']') { if (--depth === 0 && start >= 0) { out.push({ start, value: text.slice(start, i + 1) }); start = -1; } }
  }
  if (start >= 0) out.push({ start, value: text.slice(start) });
  return out;
}

/** Inline code spans (`…`) of the docs, outside fenced blocks. */
export function inlineCode(files = DOC_FILES): { file: string; code: string }[] {
  return files.flatMap((file) => {
    const prose = readFileSync(file, 'utf8').replace(/^ *```[\s\S]*?^ *```/gm, '');
    return [...prose.matchAll(/`([^`\n]+)`/g)].map((m) => ({ file: join(file).replace(resolve('.') + '/', ''), code: m[1] }));
  });
}
