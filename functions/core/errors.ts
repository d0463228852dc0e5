/**
 * Errors the core raises on bad input. Each names what was wrong (a JSON path, a file, a field) so that a
 * user can fix it without reading a stack trace; `where` is kept apart so job records can list it.
 *
 * @example
 * throw new InputError('items[2].assets.red.href', 'file not found: B04.tif');
 */
export class InputError extends Error {
  readonly where: string;
  /** The message without `where`, so that an outer layer can say where in its own terms. */
  readonly detail: string;
  constructor(where: string, message: string, options?: { cause?: unknown }) {
    super(`${where}: ${message}`, options);
    this.name = 'InputError';
    this.where = where;
    this.detail = message;
  }
}

/** A command line that cannot run as typed (a missing argument, `--workers 0`): exit 2, usage shown. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
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
    const text = depth > 0 && cur instanceof InputError ? cur.detail
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
 * InputError (never retried); anything else (I/O, throttling) keeps its retryable kind and its cause.
 */
export function relocate(e: unknown, where: string): Error {
  if (e instanceof InputError) return new InputError(where, e.detail, { cause: e });
  return new Error(`${where}: ${describeError(e)}`, { cause: e });
}

/** A job that failed validation; `problems` lists every issue by JSON path, in document order. */
export class InvalidJobError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid job:\n  ${problems.join('\n  ')}`);
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
