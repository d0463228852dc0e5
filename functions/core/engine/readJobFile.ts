/**
 * Reads a job document from any storage. Hrefs inside it resolve against its location. A job file that
 * cannot be read or parsed is bad input, named in one line: `jobs/x.json: cannot read the job file: file not found`.
 *
 * @example
 * const { raw, base } = await readJobFile('jobs/ndvi.json');
 */
import { detailOf, InputError } from '../errors.ts';
import { parseJson } from '../io/parseJson.ts';
import { storageFor } from '../io/storage.ts';

export async function readJobFile(href: string): Promise<{ raw: unknown; base: string }> {
  let bytes: Uint8Array;
  try {
    bytes = await storageFor(href).readAll(href);
  } catch (e) {
    throw new InputError(href, `cannot read the job file: ${detailOf(e)}`, { cause: e });
  }
  // parseJson's InputError names the file and says what is wrong, in one line, without quoting it.
  return { raw: parseJson(bytes, href), base: href };
}
