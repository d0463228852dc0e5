/**
 * The DIAS call token and bind address (issue 10): a function does not start without the `eofn-call-token`
 * secret, listens on loopback unless told otherwise, and compares tokens whole.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sameToken } from '../../../functions/adapters/openfaas/callToken.ts';
import { loadDiasConfig } from '../../../functions/adapters/openfaas/diasConfig.ts';

let secrets: string;

beforeAll(async () => {
  secrets = await mkdtemp(join(tmpdir(), 'eofn-token-'));
  await writeFile(join(secrets, 'eofn-database-url'), 'postgres://x');
});
afterAll(() => rm(secrets, { recursive: true, force: true }));

describe('call token', () => {
  it('refuses to start a function without the eofn-call-token secret', () => {
    expect(() => loadDiasConfig({ EOFN_FUNCTION: 'tile-reduce', EOFN_SECRETS_DIR: secrets })).toThrow(/secret eofn-call-token not found/);
  });

  it('reads the token from its secret file and binds loopback unless EOFN_LISTEN_HOST says otherwise', async () => {
    // Prepare
    await writeFile(join(secrets, 'eofn-call-token'), 's3cr3t\n');
    // Act
    const config = loadDiasConfig({ EOFN_FUNCTION: 'tile-reduce', EOFN_SECRETS_DIR: secrets });
    const open = loadDiasConfig({ EOFN_FUNCTION: 'tile-reduce', EOFN_SECRETS_DIR: secrets, EOFN_LISTEN_HOST: '0.0.0.0' });
    // Assess
    expect(config).toMatchObject({ callToken: 's3cr3t', listenHost: '127.0.0.1' });
    expect(open.listenHost).toBe('0.0.0.0');
  });

  it('accepts only the whole token', () => {
    expect(sameToken('s3cr3t', 's3cr3t')).toBe(true);
    for (const wrong of ['s3cr3', 's3cr3t ', '', 'S3CR3T', undefined]) expect(sameToken('s3cr3t', wrong)).toBe(false);
    expect(sameToken('', '')).toBe(false);
  });
});
