/**
 * The errors eofn raises, under one base that says what an adapter must decide: whether another attempt could
 * succeed (`permanent`), and what caused it (`cause`). Bad input (a malformed TIFF, a missing asset, a job
 * that fails validation) is permanent: it fails the same way every time, so it is recorded and dead-lettered
 * at once. I/O that failed after its retries (network, timeouts, HTTP 5xx, throttling) is not: the partition
 * is tried again. Errors that are no EofnError (a bug, an allocation that failed) count as transient.
 * Each error names what was wrong (a JSON path, a file, a field) so that a user can fix it without reading a
 * stack trace; `where` is kept apart so job records can list it.
 *
 * @example
 * throw new InputError('items[2].assets.red.href', 'file not found: B04.tif');
 * isPermanent(new IoError('s3://b/B04.tif', 'SlowDown')); // false: retried
 */

export interface EofnErrorOptions extends ErrorOptions {
  /** True when the same input fails the same way every time: recorded, never retried. Default false. */
  permanent?: boolean;
}

/** The base of every error eofn raises on purpose. */
export class EofnError extends Error {
  readonly permanent: boolean;
  constructor(message: string, options: EofnErrorOptions = {}) {
    const { permanent = false, ...errorOptions } = options;
    super(message, errorOptions);
    this.name = 'EofnError';
    this.permanent = permanent;
  }
}

/** An error about one place (a JSON path, a file, an href): `where: detail`. */
export class LocatedError extends EofnError {
  readonly where: string;
  /** The message without `where`, so that an outer layer can say where in its own terms. */
  readonly detail: string;
  constructor(where: string, detail: string, options: EofnErrorOptions = {}) {
    super(`${where}: ${detail}`, options);
    this.name = 'LocatedError';
    this.where = where;
    this.detail = detail;
  }
}

/** Bad input, named where it is: permanent. */
export class InputError extends LocatedError {
  constructor(where: string, message: string, options?: ErrorOptions) {
    super(where, message, { ...options, permanent: true });
    this.name = 'InputError';
  }
}

/**
 * A read or write that failed where another attempt may succeed (network, timeout, HTTP 5xx or 429,
 * throttling), named where it is: not permanent, so the partition is tried again.
 */
export class IoError extends LocatedError {
  constructor(where: string, message: string, options?: ErrorOptions) {
    super(where, message, { ...options, permanent: false });
    this.name = 'IoError';
  }
}

/** A command line that cannot run as typed (a missing argument, `--workers 0`): exit 2, usage shown. */
export class UsageError extends EofnError {
  constructor(message: string) {
    super(message, { permanent: true });
    this.name = 'UsageError';
  }
}

/** A job that failed validation; `problems` lists every issue by JSON path, in document order. */
export class InvalidJobError extends EofnError {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid job:\n  ${problems.join('\n  ')}`, { permanent: true });
    this.name = 'InvalidJobError';
    this.problems = problems;
  }
}

/** A TIFF whose structure cannot be trusted: rejected before anything is allocated from its claims. */
export class BadTiffError extends InputError {
  constructor(file: string, message: string) {
    super(file, message);
    this.name = 'BadTiffError';
  }
}

/** A JPEG 2000 file whose boxes or code-stream cannot be trusted: rejected before anything is allocated from its claims. */
export class BadJp2Error extends InputError {
  constructor(file: string, message: string) {
    super(file, message);
    this.name = 'BadJp2Error';
  }
}

/**
 * Whether `e` will fail the same way on every attempt. The one test every adapter applies before it
 * retries: a local partition, an SQS message, an OpenFaaS dispatch.
 *
 * @example
 * if (isPermanent(e)) recordDead(e); else throw e; // the queue delivers it again
 */
export function isPermanent(e: unknown): boolean {
  return e instanceof EofnError && e.permanent;
}

/**
 * How a failure is recorded: the message, and whether it is permanent. Plain data, so that it crosses a
 * worker thread (where an error loses its class) with its kind intact.
 *
 * @example
 * describeFailure(new BadTiffError('a.tif', 'truncated')); // { error: 'a.tif: truncated', permanent: true }
 */
export function describeFailure(e: unknown): { error: string; permanent: boolean } {
  return { error: e instanceof Error ? e.message : String(e), permanent: isPermanent(e) };
}

/**
 * One line for any error: its message, then each cause the message does not already say, so that
 * `fetch failed` reads `fetch failed: connect ECONNREFUSED 127.0.0.1:9`, and an SDK error with an empty
 * message still says what it is (`NoSuchKey`).
 *
 * @example
 * describeError(new Error('fetch failed', { cause: new Error('getaddrinfo ENOTFOUND x') })); // 'fetch failed: getaddrinfo ENOTFOUND x'
 */
export function describeError(e: unknown): string {
  const parts: string[] = [];
  for (let cur: unknown = e, depth = 0; cur !== undefined && cur !== null && depth < 5; depth++) {
    const err = cur as { message?: unknown; name?: unknown; code?: unknown; cause?: unknown };
    const text = depth > 0 && cur instanceof LocatedError ? cur.detail
      : cur instanceof Error || typeof err.message === 'string'
        ? (String(err.message ?? '') || String(err.code ?? '') || String(err.name ?? ''))
        : String(cur);
    if (text && !parts.some((p) => p.includes(text))) parts.push(text);
    cur = err.cause;
  }
  return parts.join(': ') || 'unknown error';
}

/**
 * `e` said from the job's side: `where` replaces the href an inner layer named. Bad input stays an
 * InputError (never retried); anything else (I/O, throttling) becomes an IoError, retryable, with its cause.
 *
 * @example
 * throw relocate(e, 'items[0] (S2B_33TWM_20230810_0_L2A) asset "red" (…/B04.tif)');
 */
export function relocate(e: unknown, where: string): LocatedError {
  const detail = detailOf(e);
  return isPermanent(e) ? new InputError(where, detail, { cause: e }) : new IoError(where, detail, { cause: e });
}

/**
 * What went wrong without where, for an outer layer that names the place itself: a LocatedError's
 * detail, anything else described with its causes.
 *
 * @example
 * detailOf(new IoError('s3://b/a.tif', 'SlowDown')); // 'SlowDown'
 */
export function detailOf(e: unknown): string {
  return e instanceof LocatedError ? e.detail : describeError(e);
}
