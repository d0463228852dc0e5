/** The part of a STAC item the engine relies on; everything else an item carries is kept as it is. */
import { z } from 'zod';

const StacAssetSchema = z.looseObject({ href: z.string().min(1) });

export const StacItemSchema = z.looseObject({
  type: z.literal('Feature'),
  id: z.string().min(1),
  properties: z.looseObject({ datetime: z.string().nullable().optional() }),
  assets: z.record(z.string(), StacAssetSchema),
});

export type StacItem = z.infer<typeof StacItemSchema>;
