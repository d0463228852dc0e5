/**
 * What parcel-aggregate's prepare hands every partition and the merge (JSON, made once), and the band
 * functions derived from it: in a file of its own so that the op's parts import it without importing the op.
 *
 * @example
 * const bands = bandEvaluators(setup); // one function per band: asset copy or compiled expression
 */
import { compileExpression, type CompiledExpression } from '../../expr/compileExpression.ts';
import { parseExpression } from '../../expr/parseExpression.ts';
import type { Grid } from '../../raster/types.ts';
import type { MaskSpec } from '../../contract/commonSchemas.ts';
import type { InvalidParcel } from '../../vector/toParcels.ts';
import type { SetupItem } from '../readItemAsset.ts';
import type { OwnershipRule } from './parcelOwnership.ts';
import type { ParcelSource } from './parcelsOnGrid.ts';
import type { CellSummary } from './planParcelPartitions.ts';

export interface ParcelBand {
  name: string;
  /** An asset key (the band is the asset itself) or an expression over `inputs`. */
  asset?: string;
  expression?: string;
}

export interface ParcelAggregateSetup {
  grid: Grid;
  items: SetupItem[];
  inputs: string[];
  bands: ParcelBand[];
  stats: string[];
  rule: 'centroid' | 'all-touched';
  mask?: MaskSpec;
  format: 'parquet' | 'csv';
  parcels: ParcelSource & {
    crs: string;
    /** Parcels in the file. */
    count: number;
    /** Parcels this tile writes rows for (see `parcelOwnership`). */
    owned: number;
    vertices: number;
    fileBytes: number;
    /** Features in the whole file. */
    total: number;
    /** Whether partitions read the file by bounding box (else whole). */
    indexed: boolean;
    /** The file the job names (`href` is the indexed copy when prepare made one). */
    given: string;
    /** Why prepare converted the file, for the product item. */
    warning?: string;
    /** Covered parcels whose centre this tile owns: over all tiles, they add up to the parcels covered. */
    covered: number;
    invalidCount: number;
    /** The first invalid parcels (kept with invalidGeometry "keep"), listed in the product item. */
    invalid: InvalidParcel[];
  };
  /** Bytes per sample of each input every item has in a native type on the grid (none with expressions). */
  nativeSampleBytes: number[];
  cells: CellSummary[];
  cellsX: number;
  cellsY: number;
  cellSize: number;
  /** The tile rule: `overlap`, and in a multi-tile job this tile's place among all tiles. */
  ownership: OwnershipRule;
  /** Partitions write their own files of one dataset, `<outputHref>/<folder>/` (`writePartitionTable`). */
  dataset: { outputHref: string; folder: string };
}

/** The band functions of a setup: an asset band copies its input, an expression band evaluates. */
export function bandEvaluators(setup: ParcelAggregateSetup): ((values: Float32Array[], out: Float32Array) => Float32Array)[] {
  return setup.bands.map((b) => {
    if (b.asset) {
      const at = setup.inputs.indexOf(b.asset);
      return (values) => values[at];
    }
    const evaluate: CompiledExpression = compileExpression(parseExpression(b.expression!), setup.inputs);
    return (values, out) => { evaluate(values, out); return out; };
  });
}
