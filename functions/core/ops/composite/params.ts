import { z } from 'zod';
import { MaskSchema, RadiometrySchema } from '../../contract/commonSchemas.ts';
import { PERCENTILES } from '../reducers.ts';

/** Statistics across dates, plus `max-ndvi` (every asset from the date with the highest NDVI). */
const COMPOSITE_METHODS = ['median', 'mean', 'min', 'max', 'first', 'last', ...PERCENTILES, 'max-ndvi'] as const;
export type CompositeMethod = (typeof COMPOSITE_METHODS)[number];

/** Methods whose result is one of the input values: their default output type is the input's. */
export const PICKING_METHODS: readonly CompositeMethod[] = ['min', 'max', 'first', 'last', 'max-ndvi'];

export const CompositeParamsSchema = z.strictObject({
  assets: z.array(z.string().min(1)).min(1)
    .refine((a) => new Set(a).size === a.length, 'asset keys must be distinct')
    .describe('Asset keys to composite, one output band each, e.g. ["red", "green", "blue", "nir"]'),
  method: z.enum(COMPOSITE_METHODS).describe('How the dates of a pixel become one value'),
  mask: MaskSchema.optional(),
  radiometry: RadiometrySchema.optional(),
  ndvi: z.strictObject({ red: z.string().min(1), nir: z.string().min(1) }).optional()
    .describe('Asset keys max-ndvi computes NDVI from; default { red: "red", nir: "nir" }'),
  dtype: z.enum(['uint8', 'uint16', 'int16', 'uint32', 'int32', 'float32']).optional()
    .describe('Output type; default float32 for statistics, the input type for min, max, first, last, max-ndvi'),
});
export type CompositeParams = z.infer<typeof CompositeParamsSchema>;
