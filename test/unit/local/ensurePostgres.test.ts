/**
 * `npm test` says in one line what is missing when PostgreSQL is not there (the DIAS tests need it), and
 * finds the one this machine runs.
 */
import { describe, expect, it } from 'vitest';
import { closedPort } from '../../helpers/closedPort.ts';
import { ensurePostgres } from '../../helpers/ensurePostgres.ts';

describe('ensurePostgres', () => {
  it('names what is missing and how to get it, in one line', async () => {
    const port = await closedPort();
    const err: Error = await ensurePostgres(`postgres://postgres@127.0.0.1:${port}/test`, { start: false }).catch((e) => e);
    expect(err.message).toMatch(new RegExp(`^PostgreSQL is not reachable at 127\\.0\\.0\\.1:${port} \\(connect ECONNREFUSED 127\\.0\\.0\\.1:${port}\\); the DIAS tests need it: install it \\(apt-get install postgresql\\)`));
    expect(err.message).toContain("npx vitest run --exclude 'test/integration/openfaas/**'");
    expect(err.message).not.toContain('\n');
  });
});
