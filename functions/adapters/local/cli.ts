/**
 * The `eofn` command line. Exit codes: 0 done, 1 the job ran but partitions failed, 2 the job or its
 * inputs were rejected before any work (nothing written).
 */
import { parseArgs } from 'node:util';
import { InputError, InvalidJobError } from '../../core/errors.ts';
import { registerLocalStorages } from './registerLocalStorages.ts';
import { COMMANDS, usage } from './commands.ts';

registerLocalStorages();

const [command, ...rest] = process.argv.slice(2);
const entry = command ? COMMANDS[command] : undefined;
if (!entry) {
  process.stderr.write(usage());
  process.exit(command && command !== 'help' && command !== '--help' ? 2 : 0);
}
try {
  const { values, positionals } = parseArgs({ args: rest, options: entry.options, allowPositionals: true, strict: true });
  process.exitCode = await entry.run(values as Record<string, string | boolean | undefined>, positionals);
} catch (e) {
  if (e instanceof InvalidJobError || e instanceof InputError) {
    process.stderr.write(`eofn: ${e.message}\n`);
    process.exitCode = 2;
  } else if ((e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`eofn: ${(e as Error).message}\n${usage()}`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`eofn: ${(e as Error).stack ?? e}\n`);
    process.exitCode = 1;
  }
}
