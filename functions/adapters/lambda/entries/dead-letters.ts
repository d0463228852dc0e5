/** Lambda entry of every dead-letter queue: records deaths and fails their jobs (see `deadLetterHandler.ts`). */
import { useCloudStorages } from '../cloudStorages.ts';
import { depsFromEnv } from '../lambdaDeps.ts';
import { createDeadLetterHandler } from '../deadLetterHandler.ts';
import { withObservability } from '../withObservability.ts';

useCloudStorages();
const deps = depsFromEnv('dead-letters');
export const handler = withObservability(createDeadLetterHandler(deps), deps);
