import { z } from 'zod';
import { GridSpecSchema, MaskSchema, RadiometrySchema } from '../../contract/commonSchemas.ts';
import { REDUCERS } from '../reducers.ts';

export const TileReduceParamsSchema = z.strictObject({
  expression: z.string().min(1).describe('Band maths over asset keys, e.g. "(nir - red) / (nir + red)"'),
  reducer: z.enum(REDUCERS).describe('How the per-date values of a pixel become one'),
  mask: MaskSchema.optional(),
  radiometry: RadiometrySchema.optional(),
  grid: GridSpecSchema.optional().describe("Output grid; default the grid of the first item's first asset used"),
});
export type TileReduceParams = z.infer<typeof TileReduceParamsSchema>;
