/**
 * The DIAS tests need a real PostgreSQL. This starts the machine's cluster when it is installed but not
 * running (Debian's `pg_ctlcluster`), creates the test database when it is missing, and otherwise fails
 * with one line saying what is missing and how to get it. Set EOFN_TEST_DATABASE_URL to use another server.
 *
 * @example
 * beforeAll(() => ensurePostgres());
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import pg from 'pg';

export const TEST_DATABASE_URL = process.env.EOFN_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const HOW = 'install it (apt-get install postgresql), allow trust or password login from 127.0.0.1, or set EOFN_TEST_DATABASE_URL; '
  + "or leave the DIAS tests out: npx vitest run --exclude 'test/integration/openfaas/**'";

export async function ensurePostgres(url = TEST_DATABASE_URL, opts: { start?: boolean; waitMs?: number } = {}): Promise<void> {
  let error = await tryConnect(url);
  if (!error) return;
  if ((error as { code?: string }).code === '3D000') return createDatabase(url);
  if ((error as { code?: string }).code === 'ECONNREFUSED' && (opts.start ?? true) && startLocalCluster()) {
    const deadline = Date.now() + (opts.waitMs ?? 15_000);
    while ((error = await tryConnect(url)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    if (!error) return;
    if ((error as { code?: string }).code === '3D000') return createDatabase(url);
  }
  const { host, port } = new URL(url);
  throw new Error(`PostgreSQL is not reachable at ${host}${port ? '' : ':5432'} (${(error as Error).message}); the DIAS tests need it: ${HOW}`);
}

async function tryConnect(url: string): Promise<Error | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return undefined;
  } catch (e) {
    return e as Error;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function createDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = target.pathname.slice(1);
  const admin = new pg.Client({ connectionString: Object.assign(new URL(url), { pathname: '/postgres' }).href });
  await admin.connect();
  // Two test files may race to create it: "already exists" (42P04) is the other one's success.
  await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`).catch((e) => { if (e.code !== '42P04') throw e; });
  await admin.end();
}

/** Starts Debian's cluster of the newest installed PostgreSQL; false when there is none to start. */
function startLocalCluster(): boolean {
  if (!existsSync('/usr/bin/pg_ctlcluster') || !existsSync('/etc/postgresql')) return false;
  const version = readdirSync('/etc/postgresql').sort((a, b) => Number(b) - Number(a))[0];
  if (!version) return false;
  try {
    execFileSync('/usr/bin/pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], { stdio: 'ignore', timeout: 30_000 });
  } catch {
    // Already running (another test file started it), or not permitted: the connection retry decides.
  }
  return true;
}
