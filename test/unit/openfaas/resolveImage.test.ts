/** Image references as Docker reads them, and the digest pin from a registry answering anonymously. */
import { describe, expect, it } from 'vitest';
import { ImageNotPublicError, parseImageRef, resolveImage } from '../../../openfaas/deploy/resolveImage.ts';

const DIGEST = `sha256:${'0f'.repeat(32)}`;

describe('parseImageRef', () => {
  it.each([
    ['ghcr.io/eofn/eofn-functions:0.1.0', { registry: 'ghcr.io', repository: 'eofn/eofn-functions', reference: '0.1.0' }],
    ['postgres:16-alpine', { registry: 'registry-1.docker.io', repository: 'library/postgres', reference: '16-alpine' }],
    ['me/fn', { registry: 'registry-1.docker.io', repository: 'me/fn', reference: 'latest' }],
    ['localhost:5000/fn:1', { registry: 'localhost:5000', repository: 'fn', reference: '1' }],
    [`ghcr.io/a/b:1@${DIGEST}`, { registry: 'ghcr.io', repository: 'a/b', reference: DIGEST, name: 'ghcr.io/a/b:1' }],
  ])('%s', (image, expected) => {
    expect(parseImageRef(image)).toMatchObject(expected);
  });
});

describe('resolveImage', () => {
  it('pins a public image to the digest its registry gives, after an anonymous token', async () => {
    // Prepare: a registry that wants a token, and gives one to anyone for pulls.
    const seen: string[] = [];
    const fetch = (async (url: string, init?: RequestInit) => {
      seen.push(`${init?.method ?? 'GET'} ${url}`);
      if (url.startsWith('https://auth.example/token')) return new Response('{"token":"t"}');
      const auth = (init?.headers as Record<string, string> | undefined)?.authorization;
      return auth === 'Bearer t'
        ? new Response(null, { status: 200, headers: { 'docker-content-digest': DIGEST } })
        : new Response(null, { status: 401, headers: { 'www-authenticate': 'Bearer realm="https://auth.example/token",service="reg"' } });
    }) as typeof globalThis.fetch;

    // Act
    const pinned = await resolveImage('reg.example/eofn/fn:1', { fetch });

    // Assess
    expect(pinned).toEqual({ pinned: `reg.example/eofn/fn:1@${DIGEST}`, digest: DIGEST });
    expect(seen).toEqual([
      'HEAD https://reg.example/v2/eofn/fn/manifests/1',
      'GET https://auth.example/token?service=reg&scope=repository%3Aeofn%2Ffn%3Apull',
      'HEAD https://reg.example/v2/eofn/fn/manifests/1',
    ]);
  });

  it('says CE cannot deploy an image it cannot pull anonymously', async () => {
    const fetch = (async () => new Response(null, { status: 401, headers: { 'www-authenticate': 'Basic realm="x"' } })) as unknown as typeof globalThis.fetch;
    await expect(resolveImage('reg.example/private/fn:1', { fetch })).rejects.toThrow(ImageNotPublicError);
    await expect(resolveImage('reg.example/private/fn:1', { fetch })).rejects.toThrow(/only allows public images/);
  });
});
