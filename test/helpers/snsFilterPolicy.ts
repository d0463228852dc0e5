/**
 * An SNS filter policy (MessageAttributes scope) evaluated as AWS documents it, for the subset our policies
 * use: exact strings, and `numeric` ranges. Returns the keys a message fails on (empty: delivered), so a test
 * can say why a message is filtered out, independently of the emulator that filters it.
 *
 * @example
 * failedKeys({ status: ['created'] }, { status: { DataType: 'String', StringValue: 'updated' } }); // ['status']
 */
import type { MessageAttributeValue } from '@aws-sdk/client-sns';

type Condition = string | number | { numeric: (string | number)[] };

export function failedKeys(policy: Record<string, Condition[]>, attributes: Record<string, MessageAttributeValue>): string[] {
  return Object.entries(policy).filter(([key, conditions]) => {
    const attr = attributes[key];
    if (!attr?.StringValue) return true; // a key the message lacks fails (AWS: the attribute must be present)
    return !conditions.some((c) => matches(c, attr));
  }).map(([key]) => key);
}

function matches(c: Condition, attr: MessageAttributeValue): boolean {
  if (typeof c === 'string') return attr.DataType === 'String' && attr.StringValue === c;
  if (typeof c === 'number') return attr.DataType === 'Number' && Number(attr.StringValue) === c;
  if (attr.DataType !== 'Number') return false;
  const v = Number(attr.StringValue);
  for (let i = 0; i < c.numeric.length; i += 2) {
    const [op, bound] = [c.numeric[i], Number(c.numeric[i + 1])];
    const ok = op === '=' ? v === bound : op === '<' ? v < bound : op === '<=' ? v <= bound : op === '>' ? v > bound : op === '>=' ? v >= bound : false;
    if (!ok) return false;
  }
  return true;
}
