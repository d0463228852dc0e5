/**
 * JSON from bytes another party sent: a parse error says where and how much was read, never what was read
 * (Node's own message quotes the start of the text, which could be an internal page's content).
 *
 * @example
 * const job = parseJson(bytes, 'https://example.com/job.json');
 */
import { InputError } from '../errors.ts';

export function parseJson(bytes: Uint8Array | string, where: string): unknown {
  const text = typeof bytes === 'string' ? bytes : new TextDecoder().decode(bytes);
  try {
    return JSON.parse(text);
  } catch {
    throw new InputError(where, `not valid JSON (${text.length} characters; content not shown)`);
  }
}
