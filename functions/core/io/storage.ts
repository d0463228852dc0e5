/**
 * The storage seam: every byte the core reads or writes goes through a `Storage` chosen by the href's
 * scheme. The core ships `file` and `https`; adapters register `s3` (the core imports no cloud SDK).
 * Cloud adapters call `setPolicy({ allowFile: false })` so that a job cannot read the function's disk.
 *
 * @example
 * registerStorage('s3', new S3Storage(client));
 * const bytes = await storageFor('s3://bucket/key.tif').readRange('s3://bucket/key.tif', 0, 16384);
 */
import { InputError } from '../errors.ts';

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
  list(prefix: string): Promise<string[]>;
  /** Sends `body` and returns the answer (only `https`, for STAC API searches). */
  post?(href: string, body: Uint8Array, headers?: Record<string, string>): Promise<Uint8Array>;
}

const registry = new Map<string, Storage>();
let policy = { allowFile: true };

export function registerStorage(scheme: string, storage: Storage): void {
  registry.set(scheme, storage);
}

export function setPolicy(next: { allowFile: boolean }): void {
  policy = { ...next };
}

export function schemeOf(href: string): string {
  const m = /^([a-z][a-z0-9+.-]*):\/\//i.exec(href);
  return m ? m[1].toLowerCase() : 'file';
}

export function storageFor(href: string): Storage {
  const scheme = schemeOf(href);
  if (scheme === 'file' && !policy.allowFile) {
    throw new InputError(href, 'local file reads are disabled in cloud mode; use s3:// or https:// hrefs');
  }
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
