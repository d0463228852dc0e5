/** Lambda entry of S3 ObjectCreated and SNS new-item events (see `arrivalsHandler.ts`). */
import { useCloudStorages } from '../cloudStorages.ts';
import { depsFromEnv } from '../lambdaDeps.ts';
import { createArrivalsHandler } from '../arrivalsHandler.ts';
import { withObservability } from '../withObservability.ts';

useCloudStorages();
const deps = depsFromEnv('arrivals');
export const handler = withObservability(createArrivalsHandler(deps), deps);
