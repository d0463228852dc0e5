/**
 * Read-only storage for `https://` (and `http://`) objects, read by `Range` requests so that a COG is never
 * downloaded whole. The object size learnt from a `Content-Range` answer is remembered, which spares the
 * HEAD request a reader would otherwise make right after reading the header.
 *
 * @example
 * const storage = new HttpStorage();
 * const header = await storage.readRange('https://example.com/B04.tif', 0, 65536);
 */
import { InputError } from '../errors.ts';
import type { Storage } from './storage.ts';

/** Transient failures (network, 429, 5xx) are retried this many times, with a short growing delay. */
const RETRIES = 3;
const RETRY_DELAY_MS = 200;
/** Sizes remembered from Content-Range headers (bounded so that a long-lived function does not grow). */
const SIZE_CACHE_LIMIT = 1000;

export interface HttpStorageOptions {
  /** Replaces the global fetch (tests, or a fetch with custom agents). */
  fetch?: typeof fetch;
  headers?: Record<string, string>;
}

export class HttpStorage implements Storage {
  private readonly fetchFn: typeof fetch;
  private readonly headers: Record<string, string>;
  private readonly sizes = new Map<string, number>();

  constructor(options: HttpStorageOptions = {}) {
    this.fetchFn = options.fetch ?? globalThis.fetch;
    this.headers = options.headers ?? {};
  }

  async readRange(href: string, offset: number, length: number): Promise<Uint8Array> {
    if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) {
      throw new InputError(href, `invalid byte range: offset ${offset}, length ${length}`);
    }
    if (length === 0) return new Uint8Array(0);
    const res = await this.request(href, 'GET', { Range: `bytes=${offset}-${offset + length - 1}` });
    if (res.status === 416) {
      await res.body?.cancel();
      return new Uint8Array(0);
    }
    if (res.status === 206) {
      this.rememberSize(href, res.headers.get('content-range'));
      return new Uint8Array(await res.arrayBuffer());
    }
    // The server ignored the Range header: read only as far as needed, then drop the connection.
    return sliceOfStream(res, offset, length);
  }

  async readAll(href: string): Promise<Uint8Array> {
    const res = await this.request(href, 'GET', {});
    return new Uint8Array(await res.arrayBuffer());
  }

  /**
   * POSTs `body` and returns the answer's bytes (STAC API `POST /search`). Retried like a GET: a search is
   * read-only, so sending it twice is harmless.
   */
  async post(href: string, body: Uint8Array, headers: Record<string, string> = {}): Promise<Uint8Array> {
    const res = await this.request(href, 'POST', headers, false, body);
    return new Uint8Array(await res.arrayBuffer());
  }

  async size(href: string): Promise<number | undefined> {
    const known = this.sizes.get(href);
    if (known !== undefined) return known;
    const res = await this.request(href, 'HEAD', {}, true);
    if (res.status === 404 || res.status === 410) return undefined;
    const length = Number(res.headers.get('content-length'));
    if (!Number.isSafeInteger(length) || length < 0) {
      throw new InputError(href, 'server did not report the object size (no Content-Length)');
    }
    return length;
  }

  async write(href: string): Promise<void> {
    throw new InputError(href, 'https storage is read-only');
  }

  async writeFile(href: string): Promise<void> {
    throw new InputError(href, 'https storage is read-only');
  }

  async list(prefix: string): Promise<string[]> {
    throw new InputError(prefix, 'https storage is read-only: it cannot list objects');
  }

  private async request(href: string, method: string, headers: Record<string, string>, allowMissing = false, body?: Uint8Array) {
    let lastError: unknown;
    for (let attempt = 0; attempt <= RETRIES; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, RETRY_DELAY_MS * attempt));
      let res: Response;
      try {
        res = await this.fetchFn(href, { method, headers: { ...this.headers, ...headers }, body });
      } catch (err) {
        lastError = err;
        continue;
      }
      if (res.ok || res.status === 416 || (allowMissing && (res.status === 404 || res.status === 410))) return res;
      await res.body?.cancel();
      if (res.status === 404 || res.status === 410) throw new InputError(href, 'not found (HTTP 404)');
      if (res.status === 401 || res.status === 403) throw new InputError(href, `access denied (HTTP ${res.status})`);
      if (res.status !== 429 && res.status < 500) throw new InputError(href, `HTTP ${res.status} ${res.statusText}`);
      lastError = new Error(`HTTP ${res.status} ${res.statusText}`);
    }
    const reason = lastError instanceof Error ? lastError.message : String(lastError);
    throw new InputError(href, `request failed after ${RETRIES + 1} attempts: ${reason}`);
  }

  private rememberSize(href: string, contentRange: string | null): void {
    const total = /\/(\d+)\s*$/.exec(contentRange ?? '')?.[1];
    if (total === undefined) return;
    if (this.sizes.size >= SIZE_CACHE_LIMIT) this.sizes.delete(this.sizes.keys().next().value as string);
    this.sizes.set(href, Number(total));
  }
}

async function sliceOfStream(res: Response, offset: number, length: number): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let position = 0;
  let filled = 0;
  const reader = res.body?.getReader();
  if (!reader) return out.subarray(0, 0);
  while (filled < length) {
    const { done, value } = await reader.read();
    if (done) break;
    const start = Math.max(0, offset - position);
    if (start < value.length) {
      const part = value.subarray(start, Math.min(value.length, start + length - filled));
      out.set(part, filled);
      filled += part.length;
    }
    position += value.length;
  }
  await reader.cancel();
  return out.subarray(0, filled);
}
