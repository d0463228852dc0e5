/**
 * A small stand-in for Lambda's SQS event source mapping: receive a batch, call the handler with an
 * `SQSEvent`, delete what succeeded, leave the reported failures for redelivery after the visibility
 * timeout (SQS itself moves a message past `maxReceiveCount` to its DLQ on the next receive).
 *
 * @example
 * const handled = await pollOnce(sqs, queueUrl, handler); // number of records handed to the handler
 */
import { DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

export function fakeContext(name = 'eofn-test'): Context {
  return {
    functionName: name, functionVersion: '$LATEST', invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
    memoryLimitInMB: '1769', awsRequestId: `req-${Math.random().toString(16).slice(2)}`, logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'test', callbackWaitsForEmptyEventLoop: false, getRemainingTimeInMillis: () => 60_000,
    done: () => undefined, fail: () => undefined, succeed: () => undefined,
  };
}

export async function pollOnce(sqs: SQSClient, queueUrl: string, handler: SqsHandler): Promise<number> {
  const out = await sqs.send(new ReceiveMessageCommand({
    QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageSystemAttributeNames: ['All'],
  }));
  const messages = out.Messages ?? [];
  if (!messages.length) return 0;
  const records: SQSRecord[] = messages.map((m) => ({
    messageId: m.MessageId!, receiptHandle: m.ReceiptHandle!, body: m.Body!,
    attributes: {
      ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1', SentTimestamp: m.Attributes?.SentTimestamp ?? '0',
      SenderId: 'test', ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: {}, md5OfBody: m.MD5OfBody ?? '', eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${queueUrl.split('/').pop()}`, awsRegion: 'us-east-1',
  }));
  const response = await handler({ Records: records }, fakeContext());
  const failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
  const done = messages.filter((m) => !failed.has(m.MessageId!));
  if (done.length) {
    await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
  }
  return messages.length;
}

/** Messages in a queue, visible and in flight. */
export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<number> {
  const a = (await sqs.send(new GetQueueAttributesCommand({
    QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
  }))).Attributes ?? {};
  return Number(a.ApproximateNumberOfMessages ?? 0) + Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) + Number(a.ApproximateNumberOfMessagesDelayed ?? 0);
}

/** Runs every queue's handler until all queues are empty (or the deadline passes). */
export async function drain(sqs: SQSClient, consumers: [string, SqsHandler][], deadlineMs = 45_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    let handled = 0;
    for (const [url, handler] of consumers) handled += await pollOnce(sqs, url, handler);
    if (handled) continue;
    let depth = 0;
    for (const [url] of consumers) depth += await queueDepth(sqs, url);
    if (!depth) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('queues did not drain before the deadline');
}
