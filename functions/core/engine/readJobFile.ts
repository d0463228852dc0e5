/**
 * Reads a job document from any storage. Hrefs inside it resolve against its location.
 *
 * @example
 * const { raw, base } = await readJobFile('jobs/ndvi.json');
 */
import { InvalidJobError } from '../errors.ts';
import { parseJson } from '../io/parseJson.ts';
import { storageFor } from '../io/storage.ts';

export async function readJobFile(href: string): Promise<{ raw: unknown; base: string }> {
  let bytes: Uint8Array;
  try {
    bytes = await storageFor(href).readAll(href);
  } catch (e) {
    throw new InvalidJobError([`${href}: cannot read the job file: ${(e as Error).message}`]);
  }
  try {
    return { raw: parseJson(bytes, href), base: href };
  } catch (e) {
    throw new InvalidJobError([(e as Error).message]);
  }
}
