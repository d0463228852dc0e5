/**
 * The storage seam: every byte the core reads or writes goes through a `Storage` chosen by the href's
 * scheme. The core ships `file` and `https`; adapters register `s3` (the core imports no cloud SDK).
 * Cloud adapters call `setPolicy({ allowFile: false, … })`: a job then cannot read the function's disk,
 * fetches only `https://` and `s3://`, and only from the deployment's allow-list of hosts and buckets when
 * one is configured (without one, never loopback, private or link-local addresses). `checkHref` is the one
 * check: `storageFor` applies it to every href and the HTTP storage to every redirect.
 *
 * @example
 * registerStorage('s3', new S3Storage(client));
 * const bytes = await storageFor('s3://bucket/key.tif').readRange('s3://bucket/key.tif', 0, 16384);
 */
import { InputError } from '../errors.ts';

/** Failures are an InputError (refused, missing: permanent) or an IoError (an outage: tried again later). */
export interface Storage {
  /** Bytes [offset, offset+length) of the object; fewer only at the end of the object. */
  readRange(href: string, offset: number, length: number): Promise<Uint8Array>;
  readAll(href: string): Promise<Uint8Array>;
  /** Size in bytes, or undefined when the object does not exist. */
  size(href: string): Promise<number | undefined>;
  /** Writes the whole object; writing the same bytes twice leaves the same object (idempotent). */
  write(href: string, bytes: Uint8Array, contentType?: string): Promise<void>;
  /** Uploads a local file (large products are written to a temporary file first). */
  writeFile(href: string, localPath: string, contentType?: string): Promise<void>;
  /**
   * Writes the object from chunks as they come (S3: a multipart upload), holding only a part of it at a
   * time; the object appears whole or not at all. Optional: without it the engine goes through a scratch file.
   */
  writeStream?(href: string, body: AsyncIterable<Uint8Array>, contentType?: string): Promise<void>;
  list(prefix: string): Promise<string[]>;
  /** Sends `body` and returns the answer (only `https`, for STAC API searches). */
  post?(href: string, body: Uint8Array, headers?: Record<string, string>): Promise<Uint8Array>;
  /** Deletes every object under the folder `prefix` (a job's scratch); nothing there is not an error. */
  removeAll(prefix: string): Promise<void>;
  /** Deletes one object (a stale file of a dataset); a missing object is not an error, so deleting twice is fine. */
  remove(href: string): Promise<void>;
}

/**
 * Streams `body` to `href` through the storage's own `writeStream`, or, for a storage without one, collects
 * it first (only small objects reach such storages: test doubles, read-only archives that refuse anyway).
 *
 * @example
 * await writeStreamTo(storageFor(href), href, chunks(), 'image/tiff');
 */
export async function writeStreamTo(storage: Storage, href: string, body: AsyncIterable<Uint8Array>, contentType?: string): Promise<void> {
  if (storage.writeStream) return storage.writeStream(href, body, contentType);
  const chunks: Uint8Array[] = [];
  for await (const c of body) chunks.push(c);
  await storage.write(href, Buffer.concat(chunks), contentType);
}

export interface StoragePolicy {
  /** Local mode: files and any scheme. Cloud mode (false): https and s3 only. */
  allowFile: boolean;
  /** Hosts an https href may name (`*.example.com` for subdomains); unset: any public host. */
  allowedHosts?: string[];
  /** Buckets an s3 href may name; unset: any bucket the credentials reach. */
  allowedBuckets?: string[];
  /**
   * Hosts that may be read over plain `http://` in cloud mode (an in-cluster STAC API, a test's loopback
   * server): named one by one by the operator, never implied.
   */
  allowedHttpHosts?: string[];
}

const registry = new Map<string, Storage>();
let policy: StoragePolicy = { allowFile: true };

export function registerStorage(scheme: string, storage: Storage): void {
  registry.set(scheme, storage);
}

export function setPolicy(next: StoragePolicy): void {
  policy = { ...next };
}

/** Throws an InputError naming the href when the policy does not let it be read or written. */
export function checkHref(href: string): void {
  const scheme = schemeOf(href);
  if (policy.allowFile) return;
  if (scheme === 'file') throw new InputError(href, 'local file reads are disabled in cloud mode; use s3:// or https:// hrefs');
  if (scheme === 'http' && policy.allowedHttpHosts && isNamedHttpHost(href, policy.allowedHttpHosts)) return;
  if (scheme !== 'https' && scheme !== 's3') throw new InputError(href, `only https:// and s3:// hrefs are allowed in cloud mode, not ${scheme}://`);
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    throw new InputError(href, 'not a valid URL');
  }
  if (scheme === 's3') {
    if (policy.allowedBuckets && !policy.allowedBuckets.includes(url.hostname)) {
      throw new InputError(href, `bucket "${url.hostname}" is not in this deployment's allowed buckets (EOFN_ALLOWED_BUCKETS)`);
    }
    return;
  }
  const host = url.hostname.toLowerCase();
  if (policy.allowedHosts) {
    if (!policy.allowedHosts.some((h) => hostMatches(host, h))) {
      throw new InputError(href, `host "${host}" is not in this deployment's allowed hosts (EOFN_ALLOWED_HOSTS)`);
    }
  } else if (isInternalHost(host)) {
    throw new InputError(href, `host "${host}" is a loopback, private or link-local address, which cloud functions do not fetch`);
  }
}

function isNamedHttpHost(href: string, hosts: string[]): boolean {
  try {
    return hosts.includes(new URL(href).hostname.toLowerCase());
  } catch {
    return false;
  }
}

function hostMatches(host: string, pattern: string): boolean {
  const p = pattern.toLowerCase();
  return p.startsWith('*.') ? host.endsWith(p.slice(1)) : host === p;
}

/** Names and literal addresses of the machine itself and of private networks (cloud metadata included). */
function isInternalHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h.endsWith('.localhost') || h.endsWith('.internal') || h.endsWith('.local')) return true;
  const v4 = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(h);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31)
      || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
  }
  if (h.includes(':')) return h === '::' || h === '::1' || /^f[cd]/.test(h) || /^fe[89ab]/.test(h) || h.startsWith('::ffff:');
  return false;
}

export function schemeOf(href: string): string {
  const m = /^([a-z][a-z0-9+.-]*):\/\//i.exec(href);
  return m ? m[1].toLowerCase() : 'file';
}

export function storageFor(href: string): Storage {
  const scheme = schemeOf(href);
  checkHref(href);
  const storage = registry.get(scheme === 'http' ? 'https' : scheme);
  if (!storage) throw new InputError(href, `no storage registered for scheme "${scheme}://"`);
  return storage;
}

/** Resolves `href` against the location of the document that mentioned it (a STAC item or a job file). */
export function resolveHref(href: string, base: string | undefined): string {
  if (!base || /^[a-z][a-z0-9+.-]*:\/\//i.test(href) || href.startsWith('/')) return href;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(base)) return new URL(href, base).toString();
  const dir = base.endsWith('/') ? base : base.slice(0, base.lastIndexOf('/') + 1);
  return normalisePath(dir + href);
}

function normalisePath(p: string): string {
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '..' && out.length && out[out.length - 1] !== '..' && out[out.length - 1] !== '') out.pop();
    else if (part !== '.') out.push(part);
  }
  return out.join('/');
}
