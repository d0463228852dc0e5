/**
 * What a parcel job run fanned out on a cloud path must give: the rows of `eofn run`'s Parquet dataset (read
 * back from every file of `table/`, in the table's documented order, so files named by another plan compare
 * too), the same item properties (the parcel file's href aside), and the parcel file's conversion said once, naming the one file written.
 *
 * @example
 * expectParcelProducts(report.products, fixture.reference, converted);
 */
import { parquetReadObjects } from 'hyparquet';
import { expect } from 'vitest';
import { inTableOrder } from './parcelFanoutInputs.ts';

type Row = Record<string, unknown>;

/** `converted`: the hrefs written under the output's `_eofn/parcels-*.fgb` during the run. */
export async function expectParcelProducts(products: Record<string, Uint8Array>, reference: Record<string, Uint8Array>, converted: string[]): Promise<void> {
  const rows = inTableOrder(await tableRows(products));
  const expected = inTableOrder(await tableRows(reference));
  expect(rows.length).toBeGreaterThan(0);
  expect(rows).toEqual(expected);
  const item = JSON.parse(Buffer.from(products['item.json']).toString());
  const { 'eofn:warnings': warnings, ...properties } = item.properties;
  const { 'eofn:warnings': referenceWarnings, ...referenceProperties } = JSON.parse(Buffer.from(reference['item.json']).toString()).properties;
  // The same job but for where the parcel file sits (the bucket, the local folder).
  expect({ ...properties, 'eofn:params': { ...properties['eofn:params'], parcels: undefined } }).toEqual({ ...referenceProperties, 'eofn:params': { ...referenceProperties['eofn:params'], parcels: undefined } });
  expect(properties['eofn:table_rows']).toBe(rows.length);
  expect(referenceWarnings).toEqual([expect.stringMatching(/has no spatial index/)]);
  expect(converted).toEqual([expect.stringMatching(/\/_eofn\/parcels-[0-9a-f]{12}\.fgb$/)]);
  expect(warnings).toEqual([expect.stringMatching(/has no spatial index: read once in prepare \(\d+ features/)]);
  expect(warnings[0]).toContain(`(${converted[0]})`);
}

async function tableRows(products: Record<string, Uint8Array>): Promise<Row[]> {
  const rows: Row[] = [];
  for (const [key, bytes] of Object.entries(products)) {
    if (!/^table\/[^/]+\.parquet$/.test(key)) continue;
    const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    rows.push(...((await parquetReadObjects({ file })) as Row[]));
  }
  return rows;
}
