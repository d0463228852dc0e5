/**
 * Reads a job document from any storage. Hrefs inside it resolve against its location. A job file that
 * cannot be read or parsed is bad input, named in one line: `jobs/x.json: cannot read the job file: file not found`.
 *
 * @example
 * const { raw, base } = await readJobFile('jobs/ndvi.json');
 */
import { describeError, InputError } from '../errors.ts';
import { storageFor } from '../io/storage.ts';

export async function readJobFile(href: string): Promise<{ raw: unknown; base: string }> {
  let bytes: Uint8Array;
  try {
    bytes = await storageFor(href).readAll(href);
  } catch (e) {
    throw new InputError(href, `cannot read the job file: ${e instanceof InputError ? e.detail : describeError(e)}`, { cause: e });
  }
  try {
    return { raw: JSON.parse(new TextDecoder().decode(bytes)), base: href };
  } catch (e) {
    throw new InputError(href, `not JSON: ${describeError(e)}`, { cause: e });
  }
}
