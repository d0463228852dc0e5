/**
 * A finished fan-out job's products read back from where the pipeline wrote them: every object under the
 * output that `products` names (a folder such as `table/` names all its objects), keyed relative to the output.
 *
 * @example
 * const products = await readProducts(new S3Storage(aws.s3), `s3://${aws.bucket}/fan/out`, inputs.products);
 */
import type { Storage } from '../../../functions/core/io/storage.ts';
import { isProduct } from './fanoutInputs.ts';

export async function readProducts(storage: Storage, output: string, products: string[]): Promise<Record<string, Uint8Array>> {
  const out: Record<string, Uint8Array> = {};
  for (const href of await storage.list(`${output}/`)) {
    const key = href.slice(output.length + 1);
    if (isProduct(key, products)) out[key] = await storage.readAll(href);
  }
  return out;
}
