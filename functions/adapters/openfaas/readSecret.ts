/**
 * OpenFaaS mounts secrets as files under `/var/openfaas/secrets/<name>`; credentials and the database URL
 * are read from there and never from the environment (which `kubectl describe` and logs show).
 * `EOFN_SECRETS_DIR` points elsewhere in tests.
 *
 * @example
 * const dsn = readSecret('eofn-database-url');
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const DEFAULT_SECRETS_DIR = '/var/openfaas/secrets';

export function secretsDir(env: Record<string, string | undefined> = process.env): string {
  return env.EOFN_SECRETS_DIR || DEFAULT_SECRETS_DIR;
}

/** The secret's value without its trailing newline; throws naming the file when it is missing. */
export function readSecret(name: string, dir = secretsDir()): string {
  const value = readOptionalSecret(name, dir);
  if (value === undefined) {
    throw new Error(`secret ${name} not found at ${join(dir, name)}: add it to the function's "secrets:" in stack.yml`);
  }
  return value;
}

/** The secret's value, or undefined when the function was deployed without it. */
export function readOptionalSecret(name: string, dir = secretsDir()): string | undefined {
  try {
    return readFileSync(join(dir, name), 'utf8').replace(/\r?\n$/, '');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}
