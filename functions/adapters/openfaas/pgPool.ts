/**
 * The PostgreSQL pool of a deployment, bound to its schema, and a transaction helper. Functions run one
 * call at a time (OpenFaaS CE), so a pool of a few connections is plenty.
 *
 * @example
 * const pool = await openPool(dsn, 'eofn');
 * await inTransaction(pool, (c) => c.query('UPDATE jobs …'));
 */
import pg from 'pg';
import { checkSchemaName, migrate } from './migrate.ts';

export async function openPool(databaseUrl: string, schema: string, max = 4): Promise<pg.Pool> {
  checkSchemaName(schema);
  const pool = new pg.Pool({ connectionString: databaseUrl, max, options: `-c search_path=${schema}` });
  await migrate(pool, schema);
  return pool;
}

export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}
