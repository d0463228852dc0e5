/**
 * A queue, its dead-letter queue and the function that consumes it: the one building block of the
 * pipeline. The visibility timeout is six times the function timeout (AWS's advice for SQS event sources,
 * so a batch retried inside the function is not redelivered meanwhile); failures are reported per record.
 *
 * @example
 * const op = new QueueFunction(this, 'Op-tile-reduce', { entry: 'op', environment: { EOFN_OP: 'tile-reduce' }, memoryMb: 1769, … });
 */
import { Duration, Size, type RemovalPolicy } from 'aws-cdk-lib';
import { Architecture, Runtime, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { join } from 'node:path';
import { VISIBILITY_FACTOR } from '../functions/adapters/lambda/attemptTiming.ts';

export const REPO_ROOT = join(import.meta.dirname, '..');
export const RUNTIME = Runtime.NODEJS_22_X;
/** Timeout of the dead-letter consumer; every DLQ's visibility timeout is sized to it. */
export const DEAD_LETTER_TIMEOUT_SECONDS = 60;

export interface LambdaSize {
  memoryMb: number;
  timeoutSeconds: number;
  concurrency: number;
  /** `/tmp` in MB; unset: Lambda's 512. */
  tmpMb?: number;
}

export interface EntryFunctionProps extends Omit<LambdaSize, 'concurrency'> {
  /** File name (without `.ts`) in `functions/adapters/lambda/entries/`. */
  entry: string;
  architecture: 'arm64' | 'x86_64';
  environment: Record<string, string>;
  removalPolicy: RemovalPolicy;
  /** The deployment's settings, bundled into the code (see `functions/adapters/lambda/config.ts`). */
  settings: string;
  reservedConcurrency?: number;
}

const OPENJPEG_WASM = 'node_modules/@cornerstonejs/codec-openjpeg/dist/openjpegwasm_decode.wasm';

/** A Lambda function bundled by esbuild on this machine (never Docker), ESM, AWS SDK from the runtime. */
export function entryFunction(scope: Construct, id: string, props: EntryFunctionProps): NodejsFunction {
  return new NodejsFunction(scope, id, {
    entry: join(REPO_ROOT, 'functions/adapters/lambda/entries', `${props.entry}.ts`),
    projectRoot: REPO_ROOT,
    depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
    runtime: RUNTIME,
    architecture: props.architecture === 'arm64' ? Architecture.ARM_64 : Architecture.X86_64,
    memorySize: props.memoryMb,
    ...(props.tmpMb ? { ephemeralStorageSize: Size.mebibytes(props.tmpMb) } : {}),
    timeout: Duration.seconds(props.timeoutSeconds),
    ...(props.reservedConcurrency ? { reservedConcurrentExecutions: props.reservedConcurrency } : {}),
    environment: { NODE_OPTIONS: '--enable-source-maps', POWERTOOLS_LOG_LEVEL: 'INFO', ...props.environment },
    logGroup: new LogGroup(scope, `${id}Logs`, { retention: RetentionDays.ONE_MONTH, removalPolicy: props.removalPolicy }),
    bundling: {
      format: OutputFormat.ESM,
      target: 'node22',
      minify: true,
      sourceMap: true,
      forceDockerBundling: false,
      externalModules: ['@aws-sdk/*'],
      // CommonJS dependencies in an ESM bundle still call require().
      banner: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
      // Settings beyond resource names travel in the code, not in the 4 KB environment.
      define: { EOFN_BUNDLED_SETTINGS: JSON.stringify(props.settings) },
      // The JPEG 2000 reader loads OpenJPEG's .wasm from beside the bundle (decodeJ2kTile.ts).
      commandHooks: {
        beforeBundling: () => [],
        beforeInstall: () => [],
        afterBundling: (inputDir: string, outputDir: string) => [`cp "${inputDir}/${OPENJPEG_WASM}" "${outputDir}/"`],
      },
    },
  });
}

export interface QueueFunctionProps extends EntryFunctionProps {
  concurrency: number;
  batchSize: number;
  maxReceiveCount: number;
}

export class QueueFunction extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly fn: NodejsFunction;

  constructor(scope: Construct, id: string, props: QueueFunctionProps) {
    super(scope, id);
    this.deadLetterQueue = new Queue(this, 'Dlq', {
      encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14),
      // Read by the dead-letter consumer: the same rule as for any queue a function consumes.
      visibilityTimeout: Duration.seconds(VISIBILITY_FACTOR * DEAD_LETTER_TIMEOUT_SECONDS),
    });
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(Math.min(12 * 3600, VISIBILITY_FACTOR * props.timeoutSeconds)),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
    });
    this.fn = entryFunction(this, 'Function', props);
    this.fn.addEventSource(new SqsEventSource(this.queue, {
      batchSize: props.batchSize,
      reportBatchItemFailures: true,
      maxConcurrency: props.concurrency,
    }));
  }

  get function(): IFunction {
    return this.fn;
  }
}
