/**
 * The CDK app: one stack for the provider chosen with `-c provider=<name>` (infra/config/<name>.json),
 * checked by cdk-nag's AwsSolutions rules.
 *
 * @example
 * npx cdk synth -c provider=aws-us-west-2
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { EofnStack } from './eofnStack.ts';
import { loadProviderConfig } from './providerConfig.ts';
import { acknowledgeReviewedFindings } from './nagSuppressions.ts';

const app = new App();
const config = loadProviderConfig(app.node.tryGetContext('provider') ?? 'aws-eu-central-1');
const stack = new EofnStack(app, `eofn-${config.name}`, {
  config,
  description: config.description,
  env: { region: config.region, ...(config.account ? { account: config.account } : {}) },
});
acknowledgeReviewedFindings(stack);
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
