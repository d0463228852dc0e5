/** Schema pieces that several operations' params share. */
import { z } from 'zod';

/** Pixels whose mask asset holds one of these classes are ignored (e.g. Sentinel-2 SCL clouds and shadows). */
export const MaskSchema = z.strictObject({
  asset: z.string().min(1).describe('Asset key of the classification raster, e.g. "scl"'),
  exclude: z.array(z.number().int()).min(1).describe('Class values to ignore, e.g. [0, 1, 3, 8, 9, 10]'),
});

/** A target grid: CRS, bounds [minx, miny, maxx, maxy] in that CRS, and the pixel size. */
export const GridSpecSchema = z.strictObject({
  crs: z.string().regex(/^EPSG:\d+$/i, 'expected "EPSG:<code>"'),
  bounds: z.tuple([z.number(), z.number(), z.number(), z.number()])
    .refine(([a, b, c, d]) => c > a && d > b, 'expected [minx, miny, maxx, maxy] with max > min'),
  resolution: z.union([z.number().positive(), z.tuple([z.number().positive(), z.number().positive()])]),
});

export type MaskSpec = z.infer<typeof MaskSchema>;
export type GridSpec = z.infer<typeof GridSpecSchema>;

/** Whether asset values are physical values from the STAC scale/offset (default) or raw digital numbers. */
export const RadiometrySchema = z.enum(['metadata', 'raw'])
  .describe('"metadata" (default): every value is DN * scale + offset from the asset\'s STAC raster metadata; "raw": digital numbers');
