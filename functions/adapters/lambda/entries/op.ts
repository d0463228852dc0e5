/** Lambda entry of every op queue: one partition per message (see `opHandler.ts`); `EOFN_OP` names the op. */
import { useCloudStorages } from '../cloudStorages.ts';
import { opFromEnv } from '../config.ts';
import { depsFromEnv } from '../lambdaDeps.ts';
import { createOpHandler } from '../opHandler.ts';
import { withObservability } from '../withObservability.ts';

useCloudStorages();
const deps = depsFromEnv(opFromEnv());
export const handler = withObservability(createOpHandler(deps), deps);
