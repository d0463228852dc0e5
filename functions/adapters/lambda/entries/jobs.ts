/** Lambda entry of the `jobs` queue: validate, record, plan, fan out (see `jobsHandler.ts`). */
import { useCloudStorages } from '../cloudStorages.ts';
import { depsFromEnv } from '../lambdaDeps.ts';
import { createJobsHandler } from '../jobsHandler.ts';
import { withObservability } from '../withObservability.ts';

useCloudStorages();
const deps = depsFromEnv('jobs');
export const handler = withObservability(createJobsHandler(deps), deps);
