import { MESSAGE_TYPES, parseJsonLossless, parseMessage, ProtocolError, type JsonRecord, type Message } from '@observes/protocol';

/** What one input line of tap-json is. */
export type InputLine =
  /** A Singer message, passed through (its RECORDs are inferred unless the input declared the stream's SCHEMA). */
  | { kind: 'message'; message: Message }
  /** A raw record of a stream: a bare object (default stream) or a `{"stream", "record"}` envelope. */
  | { kind: 'record'; stream: string; record: JsonRecord };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An envelope has exactly the keys `stream` (a non-empty string) and `record` (an object). */
function isEnvelope(value: Record<string, unknown>): boolean {
  let keys = 0;
  for (const key in value) {
    if (key !== 'stream' && key !== 'record') return false;
    keys++;
  }
  return keys === 2 && typeof value.stream === 'string' && value.stream !== '' && isObject(value.record);
}

/**
 * Classifies one input line of tap-json. An object whose `type` is a Singer message type is a Singer
 * message (checked like any Singer line); an object with exactly `stream` and `record` is an envelope;
 * any other object is a raw record of `defaultStream`. With `raw`, every object is a raw record of
 * `defaultStream` (for data whose own fields look like envelopes or Singer messages).
 * @throws ProtocolError naming the line on malformed JSON, a non-object or a bad Singer message
 */
export function classifyInputLine(text: string, line: number, defaultStream: string, raw = false): InputLine {
  let value: unknown;
  try {
    value = parseJsonLossless(text);
  } catch (error) {
    throw new ProtocolError(line, undefined, 'malformed-json', `malformed JSON: ${(error as Error).message}`);
  }
  if (!isObject(value)) {
    const what = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    throw new ProtocolError(line, undefined, 'not-an-object', `expected a JSON object, got ${what}`);
  }
  if (raw) return { kind: 'record', stream: defaultStream, record: value };
  if (typeof value.type === 'string' && (MESSAGE_TYPES as readonly string[]).includes(value.type)) {
    return { kind: 'message', message: parseMessage(text, line) };
  }
  if (isEnvelope(value)) return { kind: 'record', stream: value.stream as string, record: value.record as JsonRecord };
  return { kind: 'record', stream: defaultStream, record: value };
}
