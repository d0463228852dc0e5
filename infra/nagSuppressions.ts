/**
 * The cdk-nag AwsSolutions findings we accept, each acknowledged with its reason (cdk-nag 3 uses CDK's
 * `Validations.of(scope).acknowledge`). Everything else must pass: `npx cdk synth` fails on an error.
 *
 * @example
 * acknowledgeReviewedFindings(stack);
 */
import { Validations, type Stack } from 'aws-cdk-lib';

const STACK_ACKNOWLEDGMENTS = [
  { id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', reason: 'AWSLambdaBasicExecutionRole grants only CloudWatch Logs writes; it is the policy Lambda functions are meant to use.' },
  { id: 'AwsSolutions-L1', reason: 'Node.js 22 is the runtime the code is developed and tested with; moving to a newer runtime is a deliberate, tested step.' },
];

export function acknowledgeReviewedFindings(stack: Stack): void {
  for (const a of STACK_ACKNOWLEDGMENTS) Validations.of(stack).acknowledge(a);
}
