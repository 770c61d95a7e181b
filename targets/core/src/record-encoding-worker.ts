import { parentPort, workerData } from 'node:worker_threads';
import {
  StreamChecker,
  parseMessage,
  type InvalidTextPolicy,
  type Line,
  type Message,
  type ReadMessage,
  type RecordMessage,
  type SchemaMessage,
  type StreamSchema,
} from '@observes/protocol';
import type { EncodedLine } from './record-encoding-pool.js';

/** A target's encoder, inside a worker of a {@link RecordEncodingPool}. */
export interface RecordEncoder<E> {
  /** The sink's state (its `EncodingSource.state()`): the schema of each stream, and whatever the encoder needs. */
  setState(state: unknown): void;
  /** Encodes a record its stream's schema accepted, or answers undefined to leave it to the main thread. */
  encode(read: ReadMessage & { message: RecordMessage }, schema: StreamSchema): E | undefined;
}

/** What every encoder state holds: each stream's SCHEMA message, which the worker's checker compiles. */
export interface EncoderStateBase {
  /** The SCHEMA message of each stream the workers may encode (streams left out stay on the main thread). */
  schemas: Record<string, { schema: SchemaMessage }>;
  /** Checker settings of the target: the same as its main thread's. */
  validateRecords?: boolean;
  invalidText?: InvalidTextPolicy;
}

/**
 * The worker side of a {@link RecordEncodingPool}: each line of a chunk is parsed and checked exactly as the main
 * thread would (`parseMessage`, a `StreamChecker` that has seen the same SCHEMA messages), then encoded. Anything
 * else — another message type, a record that fails a check, one whose text the checker would change, one the
 * encoder declines — is answered null, so the main thread handles it the ordinary way and fails or warns as ever.
 */
export function serveRecordEncoding<E>(create: (init: unknown) => RecordEncoder<E>): void {
  const port = parentPort;
  if (!port) throw new Error('serveRecordEncoding runs in a worker thread');
  const encoder = create(workerData);
  let checker = new StreamChecker();
  let schemas = new Map<string, string>();
  port.on('message', (message: { type: 'state'; state: EncoderStateBase } | { type: 'chunk'; id: number; lines: Line[] }) => {
    if (message.type === 'state') {
      const { state } = message;
      const next = new Map(Object.entries(state.schemas).map(([stream, s]) => [stream, JSON.stringify(s.schema)]));
      const changed = next.size !== schemas.size || [...next].some(([stream, text]) => schemas.get(stream) !== text);
      if (changed) {
        checker = new StreamChecker({ validateRecords: state.validateRecords, invalidText: state.invalidText });
        for (const [stream, s] of Object.entries(state.schemas)) {
          try {
            checker.check({ line: 0, message: s.schema, size: 0 });
          } catch {
            // The main thread refused it too; its records stay there.
            next.delete(stream);
          }
        }
        schemas = next;
      }
      encoder.setState(state);
      return;
    }
    try {
      const results: Array<EncodedLine<E>> = new Array(message.lines.length).fill(null);
      for (let i = 0; i < message.lines.length; i++) {
        const { text, line } = message.lines[i];
        let parsed: Message;
        try {
          parsed = parseMessage(text, line);
        } catch {
          continue;
        }
        if (parsed.type !== 'RECORD' || !schemas.has(parsed.stream)) continue;
        const read = { line, message: parsed, size: text.length, escaped: text.includes('\\u') };
        const replaced = checker.replacedText;
        let schema: StreamSchema | undefined;
        try {
          schema = checker.check(read);
        } catch {
          continue;
        }
        if (!schema || checker.replacedText !== replaced) continue;
        const encoded = encoder.encode(read, schema);
        if (encoded !== undefined) results[i] = { stream: parsed.stream, version: parsed.version, encoded };
      }
      port.postMessage({ id: message.id, results });
    } catch (error) {
      const e = error as Error;
      port.postMessage({ id: message.id, error: { message: e.message, stack: e.stack } });
    }
  });
}
