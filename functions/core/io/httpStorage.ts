/**
 * Read-only storage for `https://` (and, locally, `http://`) objects, read by `Range` requests so that a
 * COG is never downloaded whole. The other side is not trusted: every read has a byte limit (the range
 * asked for, or `maxReadAllBytes` for a whole object), a time limit to the response headers (connect
 * included) and between body chunks, a `206` must answer exactly the range asked (`Content-Range` checked),
 * redirects are followed by hand and each target passes the storage policy again, and errors name the href
 * and the cause but never carry the response body. Transient failures (network, timeouts, 429, 5xx) are
 * retried twice with a growing delay, then end in an IoError (retryable); refusals are InputErrors (permanent).
 *
 * @example
 * const storage = new HttpStorage({ maxReadAllBytes: 64 * 2 ** 20 });
 * const header = await storage.readRange('https://example.com/B04.tif', 0, 65536);
 */
import { InputError, IoError } from '../errors.ts';
import { HttpTimeoutError, readBounded } from './readBounded.ts';
import { checkHref, type Storage } from './storage.ts';

/** Sizes remembered from Content-Range headers (bounded so that a long-lived function does not grow). */
const SIZE_CACHE_LIMIT = 1000;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export interface HttpStorageOptions {
  /** Replaces the global fetch (tests, or a fetch with custom agents). */
  fetch?: typeof fetch;
  headers?: Record<string, string>;
  /** Largest whole-object read (job, item, parcel files); default 256 MiB. */
  maxReadAllBytes?: number;
  /** Until the response headers arrive, connection included; default 15 s. */
  headerTimeoutMs?: number;
  /** Longest pause between two body chunks; default 30 s. */
  idleTimeoutMs?: number;
  /** Retries of a transient failure; default 2. */
  retries?: number;
  /** First retry delay, doubled each time; default 250 ms. */
  retryDelayMs?: number;
  maxRedirects?: number;
}

export const HTTP_DEFAULTS = {
  maxReadAllBytes: 256 * 2 ** 20, headerTimeoutMs: 15_000, idleTimeoutMs: 30_000, retries: 2, retryDelayMs: 250, maxRedirects: 3,
} as const;

interface Opened {
  res: Response;
  abort(): void;
}

export class HttpStorage implements Storage {
  private readonly fetchFn: typeof fetch;
  private readonly headers: Record<string, string>;
  private readonly opts: Required<Omit<HttpStorageOptions, 'fetch' | 'headers'>>;
  private readonly sizes = new Map<string, number>();

  constructor(options: HttpStorageOptions = {}) {
    this.fetchFn = options.fetch ?? globalThis.fetch;
    this.headers = options.headers ?? {};
    const { fetch: _f, headers: _h, ...rest } = options;
    this.opts = { ...HTTP_DEFAULTS, ...rest };
  }

  async readRange(href: string, offset: number, length: number): Promise<Uint8Array> {
    if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) {
      throw new InputError(href, `invalid byte range: offset ${offset}, length ${length}`);
    }
    if (length === 0) return new Uint8Array(0);
    const last = offset + length - 1;
    // Identity encoding: Content-Range then counts the bytes of the object itself, not of a compressed body.
    return this.withRetries(href, 'GET', { Range: `bytes=${offset}-${last}`, 'Accept-Encoding': 'identity' }, false, async ({ res, abort }) => {
      if (res.status === 416) {
        abort();
        // "Nothing there" only when the server says where the object ends, and the range starts past it.
        const total = /^bytes \*\/(\d+)$/.exec((res.headers.get('content-range') ?? '').trim())?.[1];
        if (total === undefined || offset < Number(total)) {
          throw new InputError(href, `the server refused bytes ${offset}-${last} (HTTP 416) without showing that the object ends before them`);
        }
        return new Uint8Array(0);
      }
      if (res.status === 206) {
        const range = parseContentRange(res.headers.get('content-range'));
        const known = this.sizes.get(href) ?? range?.total;
        // Fewer bytes than asked only when the object ends there; never bytes from elsewhere.
        const shortAtEnd = range && known !== undefined && range.end === known - 1;
        if (!range || range.start !== offset || range.end > last || (range.end < last && !shortAtEnd)) {
          abort();
          throw new InputError(href, `the server answered bytes ${range ? `${range.start}-${range.end}` : '(no valid Content-Range)'} to a request for bytes ${offset}-${last}`);
        }
        if (range.total !== undefined) this.rememberSize(href, range.total);
        const bytes = await readBounded(res, { href, limit: range.end - range.start + 1, idleMs: this.opts.idleTimeoutMs, abort });
        if (bytes.length !== range.end - range.start + 1) {
          throw new InputError(href, `the body holds ${bytes.length} bytes where Content-Range announced ${range.end - range.start + 1}`);
        }
        return bytes;
      }
      // The server ignored the Range header: read only as far as needed, then drop the connection.
      if (offset > this.opts.maxReadAllBytes) {
        abort();
        throw new InputError(href, `the server ignores Range requests; reading byte ${offset} would need a download past the ${this.opts.maxReadAllBytes}-byte limit`);
      }
      const bytes = await readBounded(res, { href, limit: length, skip: offset, idleMs: this.opts.idleTimeoutMs, abort });
      abort();
      return bytes;
    });
  }

  async readAll(href: string): Promise<Uint8Array> {
    return this.withRetries(href, 'GET', {}, false, ({ res, abort }) =>
      readBounded(res, { href, limit: this.opts.maxReadAllBytes, idleMs: this.opts.idleTimeoutMs, abort }));
  }

  /**
   * POSTs `body` and returns the answer's bytes (STAC API `POST /search`). Retried like a GET: a search is
   * read-only, so sending it twice is harmless.
   */
  async post(href: string, body: Uint8Array, headers: Record<string, string> = {}): Promise<Uint8Array> {
    return this.withRetries(href, 'POST', headers, false, ({ res, abort }) =>
      readBounded(res, { href, limit: this.opts.maxReadAllBytes, idleMs: this.opts.idleTimeoutMs, abort }), body);
  }

  async size(href: string): Promise<number | undefined> {
    const known = this.sizes.get(href);
    if (known !== undefined) return known;
    return this.withRetries(href, 'HEAD', {}, true, async ({ res, abort }) => {
      abort();
      if (res.status === 404 || res.status === 410) return undefined;
      const length = Number(res.headers.get('content-length') ?? NaN);
      if (!Number.isSafeInteger(length) || length < 0) {
        throw new InputError(href, 'server did not report the object size (no Content-Length)');
      }
      return length;
    });
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

  async removeAll(prefix: string): Promise<void> {
    throw new InputError(prefix, 'https storage is read-only: it cannot delete objects');
  }

  async remove(href: string): Promise<void> {
    throw new InputError(href, 'https storage is read-only: it cannot delete objects');
  }

  /** One request and its body read per attempt; transient failures are tried again after a growing delay. */
  private async withRetries<T>(href: string, method: string, headers: Record<string, string>, allowMissing: boolean, read: (o: Opened) => Promise<T>, body?: Uint8Array): Promise<T> {
    let lastError: Error | undefined;
    for (let attempt = 0; attempt <= this.opts.retries; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, this.opts.retryDelayMs * 2 ** (attempt - 1)));
      let opened: Opened;
      try {
        opened = await this.open(href, method, headers, body);
      } catch (e) {
        if (e instanceof InputError) throw e;
        lastError = e as Error;
        continue;
      }
      const { res, abort } = opened;
      if (!res.ok && res.status !== 416 && !(allowMissing && (res.status === 404 || res.status === 410))) {
        abort();
        if (res.status === 404 || res.status === 410) throw new InputError(href, `not found (HTTP ${res.status})`);
        if (res.status === 401 || res.status === 403) throw new InputError(href, `access denied (HTTP ${res.status})`);
        if (res.status !== 429 && res.status < 500) throw new InputError(href, `HTTP ${res.status}`);
        lastError = new Error(`HTTP ${res.status}`);
        continue;
      }
      try {
        return await read(opened);
      } catch (e) {
        if (e instanceof InputError) throw e;
        lastError = e as Error;
      }
    }
    // Still transient: the partition (or message) is tried again later, when the server may have recovered.
    throw new IoError(href, `request failed after ${this.opts.retries + 1} attempts: ${describe(lastError)}`, { cause: lastError });
  }

  /** The response to `href` after following redirects, each target checked against the storage policy. */
  private async open(href: string, method: string, headers: Record<string, string>, body?: Uint8Array): Promise<Opened> {
    let url = href;
    for (let hop = 0; ; hop++) {
      checkHref(url);
      const controller = new AbortController();
      const abort = () => controller.abort();
      const timer = setTimeout(() => controller.abort(new HttpTimeoutError(`no response within ${this.opts.headerTimeoutMs} ms`)), this.opts.headerTimeoutMs);
      let res: Response;
      try {
        res = await this.fetchFn(url, { method, headers: { ...this.headers, ...headers }, body, redirect: 'manual', signal: controller.signal });
      } catch (e) {
        throw controller.signal.aborted && controller.signal.reason instanceof HttpTimeoutError ? controller.signal.reason : e;
      } finally {
        clearTimeout(timer);
      }
      if (!REDIRECTS.has(res.status)) return { res, abort };
      abort();
      const location = res.headers.get('location');
      if (!location) throw new InputError(href, `redirect (HTTP ${res.status}) without a Location`);
      if (hop >= this.opts.maxRedirects) throw new InputError(href, `more than ${this.opts.maxRedirects} redirects`);
      url = new URL(location, url).toString();
      // As browsers do: 301/302/303 turn a POST into a GET; 307/308 repeat it.
      if (body && res.status <= 303) {
        body = undefined;
        method = 'GET';
      }
    }
  }

  private rememberSize(href: string, total: number): void {
    if (this.sizes.size >= SIZE_CACHE_LIMIT) this.sizes.delete(this.sizes.keys().next().value as string);
    this.sizes.set(href, total);
  }
}

/** `bytes <start>-<end>/<total|*>`; undefined when absent or malformed. */
export function parseContentRange(value: string | null): { start: number; end: number; total?: number } | undefined {
  const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec((value ?? '').trim());
  if (!m) return undefined;
  const start = Number(m[1]), end = Number(m[2]), total = m[3] === '*' ? undefined : Number(m[3]);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end < start || (total !== undefined && end >= total)) return undefined;
  return { start, end, total };
}

/** The cause of a failure, in words that never include what the server sent. */
function describe(e: Error | undefined): string {
  if (!e) return 'unknown error';
  if (e instanceof HttpTimeoutError || /^HTTP \d+$/.test(e.message)) return e.message;
  const code = (e as { cause?: { code?: string } }).cause?.code;
  return code ? `network error (${code})` : `network error (${e.name})`;
}
