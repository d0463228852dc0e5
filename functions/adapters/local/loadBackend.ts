/**
 * Picks the deployment the CLI talks to: `--backend aws|dias`, else `EOFN_BACKEND`. Loaded lazily so that
 * a local run never loads the AWS SDK or the PostgreSQL driver.
 *
 * @example
 * const backend = await loadBackend(values.backend);
 */
import { UsageError } from '../../core/errors.ts';
import type { CliBackend } from '../shared/cliBackend.ts';

const BACKENDS = {
  aws: async () => (await import('../lambda/cliBackend.ts')).createAwsBackend(),
  dias: async () => (await import('../openfaas/cliBackend.ts')).createDiasBackend(),
} satisfies Record<string, () => Promise<CliBackend>>;

export async function loadBackend(name: string | undefined): Promise<CliBackend> {
  const chosen = name ?? process.env.EOFN_BACKEND;
  if (!chosen || !(chosen in BACKENDS)) {
    const got = chosen ? `; "${chosen}" is not one` : '';
    throw new UsageError(`choose a deployment with --backend ${Object.keys(BACKENDS).join('|')} (or EOFN_BACKEND)${got}`);
  }
  return BACKENDS[chosen as keyof typeof BACKENDS]();
}
