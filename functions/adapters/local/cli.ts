/**
 * The `eofn` command line. Exit codes: 0 done, 1 the job ran but partitions failed (or an unexpected
 * error), 2 the command line, the job or its inputs were rejected before any work (nothing written).
 * Every error is one line naming what was wrong; `--debug` (or EOFN_DEBUG=1) adds the stack.
 *
 * @example
 * // eofn run job.json --memory 1024 ; eofn --version ; eofn plan --help
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { describeError, isPermanent, UsageError } from '../../core/errors.ts';
import { registerLocalStorages } from './registerLocalStorages.ts';
import { COMMANDS, commandUsage, usage } from './commands.ts';

registerLocalStorages();

const argv = process.argv.slice(2);
const debug = argv.includes('--debug') || process.env.EOFN_DEBUG === '1';
const [command, ...rest] = argv.filter((a) => a !== '--debug');
process.exitCode = await main();

async function main(): Promise<number> {
  if (command === '--version' || command === '-v' || command === 'version') {
    process.stdout.write(`eofn ${version()}\n`);
    return 0;
  }
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(usage());
    return 0;
  }
  const entry = COMMANDS[command];
  if (!entry) return fail(new UsageError(`unknown command "${command}"`), usage());
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(commandUsage(command));
    return 0;
  }
  try {
    const { values, positionals } = parseArgs({ args: rest, options: entry.options, allowPositionals: true, strict: true });
    return await entry.run(values as Record<string, string | boolean | undefined>, positionals);
  } catch (e) {
    if ((e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) return fail(new UsageError((e as Error).message.split('. ')[0]), commandUsage(command));
    return fail(e, e instanceof UsageError ? commandUsage(command) : '');
  }
}

function fail(e: unknown, help: string): number {
  const rejected = isPermanent(e);
  // Rejections already say what and why in one message; anything else also gets its causes.
  const text = rejected ? (e as Error).message : describeError(e);
  process.stderr.write(`eofn: ${text}\n${help}`);
  if (debug) process.stderr.write(`${(e as Error).stack ?? e}\n`);
  else if (!rejected) process.stderr.write('eofn: this looks like a bug or an outage; --debug shows where it happened\n');
  return rejected ? 2 : 1;
}

function version(): string {
  return JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')).version;
}
