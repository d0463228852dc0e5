/**
 * CDK assertions on the synthesized stack of each provider configuration (bundling skipped: these check
 * the template; `npx cdk synth` bundles for real).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { EofnStack } from '../../../infra/eofnStack.ts';
import { acknowledgeReviewedFindings } from '../../../infra/nagSuppressions.ts';
import { loadProviderConfig, providerNames, ProviderConfigSchema } from '../../../infra/providerConfig.ts';
import { concurrencyBudget } from '../../../infra/concurrencyBudget.ts';
import { arrivalFilterPolicy } from '../../../functions/core/arrivals/arrivalFilterPolicy.ts';
import { OP_NAMES, opMemoryMb } from '../../../functions/core/ops/descriptors.ts';

function synth(provider: string) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const config = loadProviderConfig(provider);
  const stack = new EofnStack(app, `eofn-${provider}`, { config, env: { region: config.region } });
  acknowledgeReviewedFindings(stack);
  return { app, stack, config, template: Template.fromStack(stack) };
}

const env = (fn: Record<string, any>): Record<string, unknown> => fn.Properties.Environment.Variables;

describe.each(providerNames())('stack for provider %s', (provider) => {
  const { app, stack, config, template } = synth(provider);
  const functions = template.findResources('AWS::Lambda::Function');
  const byEntry = (name: string) => Object.entries(functions).find(([id]) => id.startsWith(name))?.[1];

  it('gives every work queue a DLQ and a timeout that fits its function', () => {
    // Prepare
    const queues = template.findResources('AWS::SQS::Queue');
    const mappings = template.findResources('AWS::Lambda::EventSourceMapping');
    // Act
    const work = Object.entries(queues).filter(([, q]) => q.Properties.RedrivePolicy);
    const workIds = new Set(work.map(([id]) => id));
    const workMappings = Object.values(mappings).filter((m) => workIds.has(m.Properties.EventSourceArn['Fn::GetAtt'][0]));
    // Assess
    expect(work).toHaveLength(2 + Object.keys(config.ops).length);
    for (const [, q] of work) expect(q.Properties.RedrivePolicy.maxReceiveCount).toBe(config.maxReceiveCount);
    for (const [, q] of work) expect(q.Properties.RedrivePolicy.maxReceiveCount).toBeGreaterThanOrEqual(5);
    expect(workMappings).toHaveLength(work.length);
    for (const m of workMappings) {
      expect(m.Properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
      const queueId = m.Properties.EventSourceArn['Fn::GetAtt'][0];
      const fnId = m.Properties.FunctionName.Ref;
      expect(queues[queueId].Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * functions[fnId].Properties.Timeout);
    }
  });

  it('sizes each op function to the memory its planner assumes, one partition per invocation', () => {
    for (const [op, size] of Object.entries(config.ops)) {
      // Prepare
      const fn = byEntry(`Op${op.replace(/-/g, '')}Function`)!;
      // Act
      const settings = JSON.parse(stack.settings);
      // Assess
      expect(fn.Properties.MemorySize).toBe(size.memoryMb);
      expect(settings.opMemoryMb[op]).toBe(size.memoryMb);
      expect(settings.opTimeoutSeconds[op]).toBe(fn.Properties.Timeout);
    }
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: 1, ScalingConfig: { MaximumConcurrency: Match.anyValue() } });
  });

  it('gives the jobs stage the /tmp its streaming parcel conversion writes to; other functions keep Lambda\'s 512 MB', () => {
    // Prepare
    const jobsFn = byEntry('JobsStage')!;
    // Act
    const others = Object.entries(functions).filter(([id]) => !id.startsWith('JobsStage'));
    // Assess
    expect(config.jobs.tmpMb).toBe(2048);
    expect(jobsFn.Properties.EphemeralStorage).toEqual({ Size: config.jobs.tmpMb });
    for (const [, fn] of others) expect(fn.Properties.EphemeralStorage).toBeUndefined();
  });

  it('limits every function to the data bucket and the source buckets it may read (issue 10)', () => {
    const eofnFunctions = Object.values(functions).filter((f) => f.Properties.Environment?.Variables?.EOFN_TABLE);
    expect(eofnFunctions.length).toBe(5 + Object.keys(config.ops).length); // jobs, finalize, arrivals, dead letters, sweeper
    for (const fn of eofnFunctions) {
      // Act
      const allowed = JSON.stringify(env(fn).EOFN_ALLOWED_BUCKETS);
      // Assess: the data bucket (a token) joined with the configured source buckets
      expect(allowed).toMatch(/Data/);
      for (const b of config.sourceBuckets) expect(allowed).toContain(b);
    }
  });

  it('subscribes the arrivals function to the configured topics and to new items in the bucket', () => {
    for (const arn of config.arrivalTopics) {
      template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'lambda', TopicArn: arn, Region: arn.split(':')[3] });
    }
    expect(Object.keys(template.findResources('AWS::SNS::Subscription'))).toHaveLength(config.arrivalTopics.length);
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: { LambdaFunctionConfigurations: [Match.objectLike({
        Events: ['s3:ObjectCreated:*'],
        Filter: { Key: { FilterRules: Match.arrayWith([{ Name: 'suffix', Value: '.json' }, { Name: 'prefix', Value: config.arrivalPrefix }]) } },
      })] },
    });
  });

  it('filters the arrival topics on the message attributes by the arrival rules, within SNS limits', () => {
    // Prepare
    const subscriptions = Object.values(template.findResources('AWS::SNS::Subscription'));
    const expected = arrivalFilterPolicy(config.arrivalRules);
    // Assess
    for (const s of subscriptions) {
      expect(s.Properties.FilterPolicy).toEqual(expected);
      expect(s.Properties.FilterPolicyScope ?? 'MessageAttributes').toBe('MessageAttributes');
      expect(Object.keys(s.Properties.FilterPolicy).length).toBeLessThanOrEqual(5);
      const combinations = Object.values<unknown[]>(s.Properties.FilterPolicy).reduce((n, v) => n * v.length, 1);
      expect(combinations).toBeLessThanOrEqual(150);
    }
  });

  it('encrypts buckets, blocks public access, enforces TLS, and reads source data only', () => {
    for (const b of Object.values(template.findResources('AWS::S3::Bucket'))) {
      expect(b.Properties.BucketEncryption).toBeDefined();
      expect(b.Properties.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    }
    expect(Object.values(template.findResources('AWS::S3::BucketPolicy')).every((p) =>
      JSON.stringify(p.Properties.PolicyDocument).includes('"aws:SecureTransport":"false"'))).toBe(true);
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
    for (const bucket of config.sourceBuckets) {
      const onSource = statements.filter((s) => JSON.stringify(s.Resource).includes(`:::${bucket}`));
      expect(onSource.length).toBeGreaterThan(0);
      for (const s of onSource) expect(s.Action).toBe('s3:GetObject');
    }
    const deleting = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.PolicyDocument).includes('s3:Delete'));
    expect(deleting.map((p) => p.Properties.Roles[0].Ref)).toEqual([expect.stringMatching(/^FinalizeStageFunctionServiceRole/)]);
  });

  it('grants only the DynamoDB calls the handlers make', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
    const actions = new Set(statements.flatMap((s) => [s.Action].flat()).filter((a: string) => a.startsWith('dynamodb:')));
    expect([...actions].sort()).toEqual(['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
    const deleteItem = statements.filter((s) => [s.Action].flat().includes('dynamodb:DeleteItem'));
    for (const s of deleteItem) expect(JSON.stringify(s.Resource)).toMatch(/Idempotency/); // Powertools deletes failed records
  });

  it('expires finished job records (TTL) and indexes open partitions for the sweeper', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      GlobalSecondaryIndexes: [Match.objectLike({ IndexName: 'sweep' })],
    });
    expect(JSON.parse(stack.settings).retentionDays).toBe(config.retentionDays);
  });

  it('gives every DLQ a consumer and a depth alarm, every function error and throttle alarms, all to the alarm topic', () => {
    // Prepare
    const queues = template.findResources('AWS::SQS::Queue');
    const dlqIds = Object.keys(queues).filter((id) => Object.values(queues).some((q) => q.Properties.RedrivePolicy?.deadLetterTargetArn?.['Fn::GetAtt']?.[0] === id) || id.startsWith('ArrivalsDlq'));
    const mappings = Object.values(template.findResources('AWS::Lambda::EventSourceMapping'));
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    const alarmTopic = Object.keys(template.findResources('AWS::SNS::Topic')).find((id) => id.startsWith('Alarms'))!;
    // Assess
    expect(dlqIds).toHaveLength(3 + Object.keys(config.ops).length);
    for (const id of dlqIds) {
      const consumer = mappings.find((m) => m.Properties.EventSourceArn['Fn::GetAtt'][0] === id);
      expect(consumer?.Properties.FunctionName.Ref).toMatch(/^DeadLetters/);
      const depth = alarms.find((a) => a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible' && a.Properties.Dimensions[0].Value['Fn::GetAtt'][0] === id);
      expect(depth?.Properties).toMatchObject({ Threshold: 1, AlarmActions: [{ Ref: alarmTopic }] });
    }
    for (const fnId of Object.keys(functions).filter((id) => !id.startsWith('Custom') && !id.startsWith('BucketNotifications'))) {
      for (const metric of ['Errors', 'Throttles']) {
        expect(alarms.some((a) => a.Properties.MetricName === metric && a.Properties.Dimensions[0].Value.Ref === fnId
          && a.Properties.AlarmActions[0].Ref === alarmTopic), `${metric} alarm of ${fnId}`).toBe(true);
      }
    }
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: `rate(${config.sweepMinutes} minutes)`, Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Sweeper'), 'Arn'] } })],
    });
  });

  it('keeps the concurrency caps within the account quota, with reserved concurrency for arrivals', () => {
    const { total, available } = concurrencyBudget(config);
    expect(total).toBeLessThanOrEqual(available);
    expect(byEntry('Arrivals')!.Properties.ReservedConcurrentExecutions).toBe(config.arrivalsReservedConcurrency);
  });

  it('aborts incomplete multipart uploads in the data bucket', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' })]) },
    });
  });

  it('keeps every function environment to resource names, far below 4 KB', () => {
    for (const fn of Object.values(functions)) {
      const vars = fn.Properties.Environment?.Variables ?? {};
      expect(JSON.stringify(vars).length).toBeLessThan(2048);
      expect(Object.keys(vars)).not.toContain('EOFN_SETTINGS');
    }
  });

  it('has no unacknowledged cdk-nag AwsSolutions finding, and every acknowledgment has a reason', () => {
    // Act
    const report = new AwsSolutionsChecks(app).validateScope(app);
    // Assess
    expect(report.violations.map((v) => `${v.ruleName} ${v.violatingResources[0]?.constructPath}`)).toEqual([]);
    const acks = app.node.findAll().flatMap((c) => c.node.metadata.filter((m) => m.type === 'aws:cdk:acknowledged-rules'));
    expect(acks.length).toBeGreaterThan(0);
    for (const a of acks) for (const reason of Object.values(a.data as Record<string, string>)) expect(String(reason).length).toBeGreaterThan(30);
  });
});

describe('cdk-nag check', () => {
  it('reports findings when the acknowledgments are left out (the check is live)', () => {
    // Prepare
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    new EofnStack(app, 'eofn-unacknowledged', { config: loadProviderConfig('aws-us-west-2'), env: { region: 'us-west-2' } });
    // Act
    const report = new AwsSolutionsChecks(app).validateScope(app);
    // Assess
    const rules = new Set(report.violations.map((v) => v.ruleName.replace(/\[.*$/, '')));
    expect([...rules].sort()).toEqual(['AwsSolutions-IAM4', 'AwsSolutions-L1']);
  });
});

describe('limits that fit real accounts', () => {
  const base = loadProviderConfig('aws-us-west-2');

  it('refuses caps that add up to more than the account quota, naming them', () => {
    // Prepare: the caps this provider had (1,420 with the fixed functions) against the default quota
    const config = { ...base, ops: Object.fromEntries(Object.entries(base.ops).map(([op, s]) => [op, { ...s, concurrency: op === 'tile-reduce' || op === 'composite' ? 500 : 200 }])) as typeof base.ops };
    // Act + Assess
    expect(() => new EofnStack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'too-much', { config, env: { region: 'us-west-2' } }))
      .toThrow(/concurrency caps add up to 1428 \(.*tile-reduce 500.*\), more than the 900 the account quota of 1000 leaves/);
    expect(() => new EofnStack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'raised', { config: { ...config, accountConcurrency: 3000 }, env: { region: 'us-west-2' } })).not.toThrow();
  });

  it('gives each op its descriptor\'s memory unless the file overrides it, and refuses an op it does not know', () => {
    // Prepare
    const raw = JSON.parse(readFileSync('infra/config/aws-us-west-2.json', 'utf8'));
    // Act
    const parsed = ProviderConfigSchema.parse(raw);
    const unknown = ProviderConfigSchema.safeParse({ ...raw, ops: { ...raw.ops, ndvi: { timeoutSeconds: 60 } } });
    const sparse = ProviderConfigSchema.parse({ ...raw, ops: { composite: { memoryMb: 2048 } } });
    // Assess: the one override of the committed files is visible in it, every other op takes its default
    expect(Object.entries(raw.ops).filter(([, s]) => (s as { memoryMb?: number }).memoryMb !== undefined).map(([op]) => op)).toEqual(['composite']);
    expect(parsed.ops.composite.memoryMb).toBe(3538);
    for (const op of OP_NAMES.filter((o) => o !== 'composite')) expect(parsed.ops[op].memoryMb).toBe(opMemoryMb(op));
    expect(unknown.success).toBe(false);
    expect(Object.keys(sparse.ops)).toEqual([...OP_NAMES]);
    expect(sparse.ops['tile-reduce']).toEqual({ memoryMb: opMemoryMb('tile-reduce'), timeoutSeconds: 300, concurrency: 50 });
  });

  it('refuses maxReceiveCount below 5', () => {
    expect(ProviderConfigSchema.safeParse({ ...base, maxReceiveCount: 3 }).success).toBe(false);
    expect(ProviderConfigSchema.parse({ ...base, maxReceiveCount: undefined }).maxReceiveCount).toBe(5);
  });

  it('bundles 300 arrival rules into the code: the environment does not grow, the functions read them', async () => {
    // Prepare
    const rule = base.arrivalRules[0];
    const config = { ...base, arrivalRules: Array.from({ length: 300 }, (_, i) => ({ ...rule, name: `rule-${i}` })) };
    const stack = new EofnStack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'many-rules', { config, env: { region: 'us-west-2' } });
    const fns = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'));
    // Act: bundle the config module the way the stack bundles every function
    const { build } = await import('esbuild');
    const out = await build({
      stdin: { contents: "export { configFromEnv } from './functions/adapters/lambda/config.ts';", resolveDir: process.cwd(), loader: 'ts' },
      bundle: true, format: 'esm', platform: 'node', write: false, define: { EOFN_BUNDLED_SETTINGS: JSON.stringify(stack.settings) },
    });
    const { configFromEnv } = await import(`data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString('base64')}`);
    const seen = configFromEnv({ EOFN_TABLE: 't' });
    // Assess
    expect(stack.settings.length).toBeGreaterThan(4096);
    for (const fn of fns) expect(JSON.stringify(fn.Properties.Environment?.Variables ?? {}).length).toBeLessThan(2048);
    expect(seen.arrivalRules).toHaveLength(300);
    expect(seen).toMatchObject({ tableName: 't', maxReceiveCount: 5, opMemoryMb: { composite: 3538 } });
  });
});

describe('the aws-us-west-2 deployment on the real archives', () => {
  const { template, config } = synth('aws-us-west-2');

  it('reads Earth Search C1 and legacy buckets and takes only their Sentinel-2 L2A items from the SNS topic', () => {
    // Act
    const [subscription] = Object.values(template.findResources('AWS::SNS::Subscription'));
    // Assess
    expect(config.sourceBuckets).toEqual(expect.arrayContaining(['e84-earth-search-sentinel-data', 'sentinel-cogs']));
    expect(subscription.Properties.TopicArn).toBe('arn:aws:sns:us-west-2:608149789419:cirrus-es-prod-publish');
    expect(subscription.Properties.FilterPolicy).toMatchObject({
      collection: ['sentinel-2-c1-l2a', 'sentinel-2-l2a'], status: ['created'], cloud_cover: [{ numeric: ['<=', 30] }],
      'bbox.ll_lon': [{ numeric: ['>=', expect.any(Number), '<=', 19] }], 'bbox.ll_lat': [{ numeric: ['>=', expect.any(Number), '<=', 48.5] }],
    });
  });

  it.skipIf(spawnSync('cfn-lint', ['--version']).status !== 0)('passes cfn-lint without errors', () => {
    // Prepare
    const file = join(mkdtempSync(join(tmpdir(), 'eofn-cfn-')), 'template.json');
    writeFileSync(file, JSON.stringify(template.toJSON()));
    // Act
    const run = spawnSync('cfn-lint', ['--format', 'json', file], { encoding: 'utf8' });
    // Assess: warnings (W…, exit bit 4) come from CDK's own resources; errors (exit bit 2) would fail the deploy.
    const findings = JSON.parse(run.stdout || '[]') as { Rule: { Id: string }; Message: string }[];
    expect(findings.filter((f) => f.Rule.Id.startsWith('E')).map((f) => `${f.Rule.Id} ${f.Message}`)).toEqual([]);
    expect(run.status! & 2).toBe(0);
  }, 60_000);
});
