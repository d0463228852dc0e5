/**
 * The fan-out inputs as a parcel-aggregate job: the same side-by-side tiles (`makeFanoutInputs`) and a GeoJSON
 * parcel file of squares spread over every tile, large enough that a job converts it (it has no spatial index
 * and is past 256 KiB). Its products are the item and the Parquet dataset (`table/`, one file per partition).
 * `partitions` is one per 256-pixel cell of the tiles: a plan asked for that many has a partition per cell.
 *
 * @example
 * const parcels = await parcelJobOver(await makeFanoutInputs('/tmp/fan', 4, 3)); // 3 tiles, 1,728 parcels, 3 partitions
 * const job = parcels.job('s3://bucket/fan', 's3://bucket/fan/out', 'fan');
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CELL } from '../../../functions/core/ops/parcel-aggregate/parcelsOnGrid.ts';
import { FANOUT_BLOCK, type FanoutInputs } from './fanoutInputs.ts';

/** The fan-out inputs' grid (the sample's 33TWM crop at 120 m, UTM 33N), tile t starting t tile widths east. */
export const FANOUT_ORIGIN = { x: 511500, y: 5173140, res: 120 };
export const PARCEL_FILE = 'parcels.geojson';

/** The table's documented order (docs/parcel-aggregate.md): by parcel, item datetime, then band. */
export const TABLE_ORDER = ['parcel_id', 'datetime', 'band'] as const;

/** Writes the parcel file into the inputs' folder: `squaresPerSide`² parcels a tile. */
export async function parcelJobOver(inputs: FanoutInputs, squaresPerSide = 24): Promise<FanoutInputs> {
  await writeFile(join(inputs.dir, PARCEL_FILE), parcelSquaresGeoJson(inputs.tiles, inputs.blocksPerSide, squaresPerSide));
  const cells = Math.ceil((inputs.blocksPerSide * FANOUT_BLOCK) / CELL) ** 2;
  return {
    ...inputs, op: 'parcel-aggregate', files: [...inputs.files, PARCEL_FILE], partitions: inputs.tiles * cells, products: ['item.json', 'table/'],
    job: (itemsBase, output, id) => ({
      ...inputs.job(itemsBase, output, id), op: 'parcel-aggregate',
      params: { parcels: `${itemsBase}/${PARCEL_FILE}`, idProperty: 'id', assets: ['red', 'nir'], expressions: { ndvi: '(nir - red) / (nir + red)' } },
    }),
  };
}

/** `perSide`² squares of 150 m on each tile, in UTM 33N, ids `t<tile>-<row>-<col>`. */
export function parcelSquaresGeoJson(tiles: number, blocksPerSide: number, perSide: number): string {
  const side = blocksPerSide * FANOUT_BLOCK * FANOUT_ORIGIN.res;
  const features = [];
  for (let t = 0; t < tiles; t++) {
    for (let row = 0; row < perSide; row++) {
      for (let col = 0; col < perSide; col++) {
        const x = FANOUT_ORIGIN.x + t * side + 20.25 + col * (side / perSide);
        const y = FANOUT_ORIGIN.y - 20.25 - row * (side / perSide);
        const ring = [[x, y], [x + 150, y], [x + 150, y - 150], [x, y - 150], [x, y]];
        features.push({ type: 'Feature', properties: { id: `t${t}-${row}-${col}`, crop: 'winter wheat' }, geometry: { type: 'Polygon', coordinates: [ring] } });
      }
    }
  }
  return JSON.stringify({ type: 'FeatureCollection', crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::32633' } }, features });
}

/** Rows in the table's documented order (`TABLE_ORDER`), whatever file each came from. */
export function inTableOrder<R extends Record<string, unknown>>(rows: R[]): R[] {
  const key = (r: R) => TABLE_ORDER.map((c) => (r[c] instanceof Date ? (r[c] as Date).toISOString() : String(r[c])));
  return [...rows].sort((a, b) => {
    const [ka, kb] = [key(a), key(b)];
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
    return 0;
  });
}
