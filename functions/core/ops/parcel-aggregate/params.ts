import { z } from 'zod';
import { MaskSchema, RadiometrySchema } from '../../contract/commonSchemas.ts';

/** The statistics a row can carry besides `count` and `nodata_count` (always there). */
const STAT_PATTERN = /^(count|mean|std|min|max|sum|median|p([1-9]|[1-9][0-9]))$/;
const DEFAULT_STATS = ['count', 'mean', 'std', 'min', 'max', 'p25', 'p50', 'p75'];

export const ParcelAggregateParamsSchema = z.strictObject({
  parcels: z.string().min(1).describe('href of the parcels: GeoJSON (.geojson), FlatGeobuf (.fgb) or GeoParquet (.parquet); reprojected to the raster CRS'),
  idProperty: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)])
    .describe('Property holding the parcel id, or several properties whose values are joined with "/"'),
  assets: z.array(z.string().min(1)).min(1).optional().describe('Asset keys to summarise, each a band of the output'),
  expressions: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected a name of letters, digits and "_"'), z.string().min(1))
    .optional().describe('Named band maths over asset keys, e.g. {"ndvi": "(nir - red) / (nir + red)"}'),
  stats: z.array(z.string().regex(STAT_PATTERN, 'expected count, mean, std, min, max, sum, median or pNN (1..99)')).min(1)
    .default(DEFAULT_STATS).describe('Statistics per parcel, item and band; std is the population std, percentiles are linear'),
  rule: z.enum(['centroid', 'all-touched']).default('centroid')
    .describe('centroid: a pixel counts when its centre is inside (GDAL rasterize default); all-touched: any pixel the parcel touches'),
  mask: MaskSchema.optional(),
  overlap: z.enum(['one', 'all']).default('one')
    .describe('Parcels on overlapping tiles: one = rows from the single tile holding the centre of the parcel deepest; all = rows from every tile reaching it'),
  radiometry: RadiometrySchema.optional(),
  format: z.enum(['parquet', 'csv']).default('parquet'),
  invalidGeometry: z.enum(['error', 'keep']).default('error')
    .describe('error: an invalid geometry fails the job; keep: rasterise it as GDAL does and list it in the product item'),
}).refine((p) => (p.assets?.length ?? 0) + Object.keys(p.expressions ?? {}).length > 0,
  { message: 'expected at least one of assets or expressions', path: ['assets'] });
export type ParcelAggregateParams = z.infer<typeof ParcelAggregateParamsSchema>;
