/**
 * `eofn submit|status|redrive --backend dias`: the CLI talks to the deployment's PostgreSQL and gateway.
 * From a workstation: `EOFN_DATABASE_URL` (or libpq's `PGHOST`/`PGUSER`/…, or a secret file when
 * `EOFN_SECRETS_DIR` is set), `EOFN_DB_SCHEMA` (default `eofn`), `OPENFAAS_URL` (as for faas-cli) and the
 * deployment's call token (`EOFN_CALL_TOKEN`, or the `eofn-call-token` file under `EOFN_SECRETS_DIR`).
 *
 * @example
 * const backend = createDiasBackend();
 * await backend.status('ndvi-33TWM-2023-08');
 */
import { readJobFile } from '../../core/engine/readJobFile.ts';
import { schemeOf } from '../../core/io/storage.ts';
import { validateJob } from '../../core/contract/validateJob.ts';
import type { CliBackend } from '../shared/cliBackend.ts';
import { SECRET_NAMES } from './diasConfig.ts';
import { dispatchAll, gatewayDispatcher } from './dispatcher.ts';
import type { DispatchMessage } from './dispatchMessage.ts';
import { dueOnRefusal } from './dueOnRefusal.ts';
import { PostgresJobStore } from './jobStore.ts';
import { readOptionalSecret } from './readSecret.ts';

type Env = Record<string, string | undefined>;

export function createDiasBackend(env: Env = process.env): CliBackend {
  const dispatcher = () => gatewayDispatcher({
    gatewayUrl: env.OPENFAAS_URL || env.EOFN_GATEWAY_URL || 'http://127.0.0.1:8080',
    functionPrefix: env.EOFN_FUNCTION_PREFIX ?? 'eofn-',
    callToken: (env.EOFN_SECRETS_DIR ? readOptionalSecret(SECRET_NAMES.callToken, env.EOFN_SECRETS_DIR) : undefined) ?? env.EOFN_CALL_TOKEN,
  });
  // One connection per command: the CLI exits as soon as it has answered.
  const withStore = async <T>(work: (store: PostgresJobStore) => Promise<T>): Promise<T> => {
    const dsn = (env.EOFN_SECRETS_DIR ? readOptionalSecret(SECRET_NAMES.databaseUrl, env.EOFN_SECRETS_DIR) : undefined) ?? env.EOFN_DATABASE_URL ?? '';
    const store = await PostgresJobStore.open(dsn, env.EOFN_DB_SCHEMA || 'eofn', {
      leaseSeconds: Number(env.EOFN_LEASE_SECONDS ?? 960), dispatchTimeoutSeconds: Number(env.EOFN_DISPATCH_TIMEOUT_SECONDS ?? 3600),
    });
    try {
      return await work(store);
    } finally {
      await store.close();
    }
  };
  return {
    name: 'dias',
    async submit(jobHref) {
      const { raw } = await readJobFile(jobHref);
      const job = validateJob(raw);
      const remote = schemeOf(jobHref) !== 'file';
      // A local job file travels inline; its items must then be s3:// or https:// hrefs the cluster can read.
      await dispatcher().dispatch(remote ? { kind: 'job', jobRef: jobHref } : { kind: 'job', job: { ...(raw as object), id: job.id } });
      return job.id;
    },
    status: (jobId) => withStore((store) => store.status(jobId)),
    redrive: (jobId) => withStore(async (store) => {
      const messages = await store.redrive(jobId);
      const errors = await dispatchAll(dueOnRefusal(dispatcher(), store), messages);
      if (errors.length) throw new Error(`redrive of ${jobId}: ${errors.length} message(s) not sent (the reconciler will send them): ${errors[0]}`);
      const count = (kind: DispatchMessage['kind']) => messages.filter((m) => m.kind === kind).length;
      return { partitions: count('partition'), tiles: count('plan-tile'), merge: count('finalize') > 0, submission: count('job') > 0 };
    }),
  };
}
