/** Lambda entry of the `finalize` queue: merge, record, notify (see `finalizeHandler.ts`). */
import { useCloudStorages } from '../cloudStorages.ts';
import { depsFromEnv } from '../lambdaDeps.ts';
import { createFinalizeHandler } from '../finalizeHandler.ts';
import { withObservability } from '../withObservability.ts';

useCloudStorages();
const deps = depsFromEnv('finalize');
export const handler = withObservability(createFinalizeHandler(deps), deps);
