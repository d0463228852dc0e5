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
import type { JobMessage } from './messages.ts';

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

/** The job a job message carries: inline (with the base its hrefs resolve against), or read from its `jobRef`. */
export async function readJobMessage(msg: JobMessage): Promise<{ raw: unknown; base?: string; ref?: string }> {
  if ('jobRef' in msg) return { ...(await readJobFile(msg.jobRef)), ref: msg.jobRef };
  return { raw: msg.job, base: msg.base };
}
