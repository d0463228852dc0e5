/**
 * Errors the core raises on bad input. Each names what was wrong (a JSON path, a file, a field) so that a
 * user can fix it without reading a stack trace; `where` is kept apart so job records can list it.
 *
 * @example
 * throw new InputError('items[2].assets.red.href', 'file not found: B04.tif');
 */
export class InputError extends Error {
  readonly where: string;
  constructor(where: string, message: string) {
    super(`${where}: ${message}`);
    this.name = 'InputError';
    this.where = where;
  }
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
