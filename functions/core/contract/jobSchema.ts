/**
 * The job contract: what partners, events and the CLI submit. One schema validates it everywhere and is
 * published as JSON Schema (`eofn schema`) so that other systems can check jobs before sending them.
 *
 * @example
 * const job = JobSchema.parse(JSON.parse(text));
 */
import { z } from 'zod';
import { StacItemSchema } from './stacItemSchema.ts';
import { SearchItemsSchema } from './stacSearchSchema.ts';
import { OP_PARAMS } from '../ops/opParams.ts';

const ItemRefSchema = z.union([
  z.string().min(1).describe('href of a STAC item JSON, or of a GeoTIFF (an item with one asset "data")'),
  StacItemSchema,
]);

const common = {
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'expected 1-128 letters, digits, ".", "_" or "-"')
    .optional().describe('Default: a hash of the job content, so a resubmitted job is the same job'),
  items: z.union([
    z.array(ItemRefSchema).min(1, 'expected at least one item'),
    SearchItemsSchema.describe('A STAC API search, resolved when the job is prepared (docs/data-sources.md)'),
  ]),
  output: z.string().min(1).describe('Local folder or s3:// prefix for the product'),
};

const variants = Object.entries(OP_PARAMS).map(([op, params]) =>
  z.strictObject({ ...common, op: z.literal(op), params }));

export const JobSchema = z.discriminatedUnion('op', variants as unknown as [typeof variants[0], ...typeof variants]);

export type OpName = keyof typeof OP_PARAMS;
export type Job = z.infer<typeof JobSchema> & { op: OpName; params: any };
export type ItemRef = z.infer<typeof ItemRefSchema>;

/**
 * The JSON Schema of a job as a partner writes it, for their validators and docs: the input side of the
 * contract, so a param with a default is optional (the output side would mark it required).
 */
export function jobJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(JobSchema, { target: 'draft-2020-12', unrepresentable: 'any', io: 'input' }),
    title: 'eofn job',
  };
}
