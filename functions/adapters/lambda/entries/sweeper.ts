/** Lambda entry of the scheduled sweeper: settles partitions past their deadline (see `sweepHandler.ts`). */
import { depsFromEnv } from '../lambdaDeps.ts';
import { createSweepHandler } from '../sweepHandler.ts';
import { withObservability } from '../withObservability.ts';

const deps = depsFromEnv('sweeper');
export const handler = withObservability(createSweepHandler(deps), deps);
