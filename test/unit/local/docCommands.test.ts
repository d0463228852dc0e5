/**
 * The `eofn` command lines the README and docs show are ones the CLI takes: every command exists, every
 * option is one it declares, and every sample job a doc names is shipped.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../functions/adapters/local/commands.ts';
import { DOC_FILES } from '../../helpers/markdownBlocks.ts';

const GLOBAL = new Set(['debug', 'help', 'version']);

/** Every `npx eofn …` invocation in the docs, split at `;`, `|`, `>` and comments. */
function invocations(): { file: string; words: string[] }[] {
  return DOC_FILES.flatMap((file) => readFileSync(file, 'utf8').split('\n').flatMap((line) =>
    [...line.replace(/#.*$/, '').matchAll(/npx eofn ([^;|>`#]*)/g)].map((m) => ({ file, words: m[1].trim().split(/\s+/) }))));
}

describe('eofn commands in the docs', () => {
  const found = invocations();

  it('finds them (the README shows run, plan, validate, status, schema, submit and redrive)', () => {
    const names = new Set(found.map((f) => f.words[0]));
    for (const n of ['run', 'plan', 'validate', 'status', 'schema', 'redrive', 'demo']) expect(names).toContain(n);
  });

  it.each(found.map((f) => [f.words.join(' '), f] as const))('%s', (_, { words }) => {
    const [name, ...rest] = words;
    if (name === '--version') return;
    const command = COMMANDS[name];
    expect(command, `unknown command ${name}`).toBeDefined();
    for (const w of rest.filter((x) => x.startsWith('--'))) {
      const option = w.slice(2).split('=')[0];
      expect(option in command.options || GLOBAL.has(option), `eofn ${name} has no --${option}`).toBe(true);
    }
    for (const job of rest.filter((x) => x.startsWith('sample-data/'))) expect(existsSync(job), job).toBe(true);
  });
});
