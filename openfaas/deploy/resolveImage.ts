/**
 * Pins an image to its digest by asking its registry, anonymously, as faas-netes CE does before it
 * deploys (`remote.Head` with anonymous auth: "the Community Edition license agreement only allows public
 * images"). A `HEAD /v2/<repo>/manifests/<tag>` answers the digest; a 401 names the token service, which
 * gives anonymous pull tokens for public repositories. Registries on localhost are reached over http, as
 * go-containerregistry does.
 *
 * @example
 * await resolveImage('ghcr.io/eofn/eofn-functions:0.1.0');
 * // { pinned: 'ghcr.io/eofn/eofn-functions:0.1.0@sha256:…', digest: 'sha256:…' }
 */

export interface ImageRef { registry: string; repository: string; reference: string; name: string }

const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

export class ImageNotPublicError extends Error {
  constructor(image: string, why: string) {
    super(`${image} cannot be pulled anonymously (${why}): the Community Edition license agreement only allows public images; push it to a public repository or use --edition standard with --registry-secret`);
    this.name = 'ImageNotPublicError';
  }
}

/** Splits `registry/repo:tag@digest` as Docker does (no registry part: Docker Hub, `library/` for one-word names). */
export function parseImageRef(image: string): ImageRef {
  const at = image.indexOf('@');
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  let name = at >= 0 ? image.slice(0, at) : image;
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  const tag = colon > slash ? name.slice(colon + 1) : undefined;
  if (tag !== undefined) name = name.slice(0, colon);
  const first = name.split('/')[0];
  const hasRegistry = name.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = hasRegistry ? first : 'registry-1.docker.io';
  let repository = hasRegistry ? name.slice(first.length + 1) : name;
  if (!hasRegistry && !repository.includes('/')) repository = `library/${repository}`;
  return { registry, repository, reference: digest ?? tag ?? 'latest', name: tag ? `${name}:${tag}` : name };
}

export async function resolveImage(image: string, opts: { fetch?: typeof fetch } = {}): Promise<{ pinned: string; digest: string }> {
  const send = opts.fetch ?? fetch;
  const ref = parseImageRef(image);
  const scheme = /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/.test(ref.registry) ? 'http' : 'https';
  const url = `${scheme}://${ref.registry}/v2/${ref.repository}/manifests/${ref.reference}`;
  const head = (auth?: string) => send(url, { method: 'HEAD', headers: { accept: MANIFEST_TYPES, ...(auth ? { authorization: auth } : {}) } });
  let res: Response;
  try {
    res = await head();
    if (res.status === 401) {
      const token = await anonymousToken(res.headers.get('www-authenticate') ?? '', ref.repository, send);
      if (!token) throw new ImageNotPublicError(image, 'the registry offers no anonymous token');
      res = await head(`Bearer ${token}`);
    }
  } catch (e) {
    if (e instanceof ImageNotPublicError) throw e;
    throw new ImageNotPublicError(image, `registry unreachable: ${(e as Error).message}`);
  }
  if (!res.ok) throw new ImageNotPublicError(image, `HEAD ${url}: HTTP ${res.status}`);
  const digest = res.headers.get('docker-content-digest');
  if (!digest || !/^sha256:[0-9a-f]{64}$/.test(digest)) throw new ImageNotPublicError(image, `HEAD ${url} gave no sha256 digest`);
  if (ref.reference.startsWith('sha256:') && ref.reference !== digest) throw new Error(`${image}: the registry has ${digest} under that digest`);
  return { pinned: `${ref.name}@${digest}`, digest };
}

/** The Bearer challenge's realm, asked for an anonymous pull token (Docker Hub, ghcr.io, quay.io, Harbor). */
async function anonymousToken(challenge: string, repository: string, send: typeof fetch): Promise<string | undefined> {
  if (!/^Bearer /i.test(challenge)) return undefined;
  const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
  if (!params.realm) return undefined;
  const q = new URLSearchParams({ ...(params.service ? { service: params.service } : {}), scope: params.scope ?? `repository:${repository}:pull` });
  const res = await send(`${params.realm}?${q}`);
  if (!res.ok) return undefined;
  const body = (await res.json()) as { token?: string; access_token?: string };
  return body.token ?? body.access_token;
}
