import { z } from 'zod';
import { GridSpecSchema, RadiometrySchema } from '../../contract/commonSchemas.ts';

const COHERENCE_METHODS = ['mean', 'median', 'max', 'min', 'first', 'last'] as const;

export const CoherenceMergeParamsSchema = z.strictObject({
  asset: z.string().min(1).default('data').describe('Asset key of the coherence raster; a bare .tif item has "data"'),
  method: z.enum(COHERENCE_METHODS).default('mean').describe('How overlapping values become one; first/last by item datetime'),
  grid: GridSpecSchema.optional().describe("Output grid; default the grid of the first item (in datetime order)"),
  radiometry: RadiometrySchema.optional(),
  resampling: z.enum(['nearest', 'bilinear']).default('nearest').describe('How inputs are warped onto the grid'),
  nodata: z.number().optional().describe("Input value that means no data; default the file's nodata tag, else 0"),
});
export type CoherenceMergeParams = z.infer<typeof CoherenceMergeParamsSchema>;
