/** Lambda entry of the `composite` queue: one partition per message (see `opHandler.ts`). */
import { useCloudStorages } from '../cloudStorages.ts';
import { depsFromEnv } from '../lambdaDeps.ts';
import { createOpHandler } from '../opHandler.ts';
import { withObservability } from '../withObservability.ts';

useCloudStorages();
const deps = depsFromEnv('composite');
export const handler = withObservability(createOpHandler(deps), deps);
