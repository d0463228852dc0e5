/** Each operation's params schema, by op name (from its descriptor): the job schema is built from this. */
import { OP_DESCRIPTORS } from './descriptors.ts';

type Descriptor = (typeof OP_DESCRIPTORS)[number];

export const OP_PARAMS = Object.fromEntries(OP_DESCRIPTORS.map((d) => [d.name, d.params])) as
  { [D in Descriptor as D['name']]: D['params'] };
