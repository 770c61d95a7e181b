import { ProtocolError, StreamChecker, type JsonRecord, type Message, type SchemaMessage } from '@observes/protocol';
import { classifyInputLine, type InputLine } from './input-line.js';
import type { SchemaCache } from './schema-cache.js';
import { SchemaInferrer } from './schema-inference.js';
import { compileCoercion } from './value-coercion.js';

/** Options of {@link JsonLinesSchemas}. */
export interface JsonLinesSchemasOptions {
  /** Stream of bare objects (lines that are neither envelopes nor Singer messages). Default `records`. */
  stream?: string;
  /** Key properties of every stream whose schema is determined here; default none (or the cached ones). */
  keyProperties?: string[];
  /**
   * Take each stream's schema from this cache instead of inferring it: every record must fit it, else
   * {@link JsonLinesSchemas.accept} fails naming the line, the stream and the field. Where the schema
   * says string, other values are written as their JSON text (the widening rule of inference), so the
   * data a schema was inferred from always fits it. Default: infer.
   */
  cachedSchemas?: SchemaCache;
  /** Treat every line as a raw record of `stream`, even one that looks like an envelope or a Singer message. */
  raw?: boolean;
  /** Streams to keep (a catalog's selection); the lines of other streams are dropped. Default all. */
  selected?: (stream: string) => boolean;
}

/** What {@link JsonLinesSchemas} determined for one stream. */
export interface DeterminedStream {
  /** The stream's SCHEMA message (inferred or cached). */
  schema: SchemaMessage;
  /** Records read for the stream. */
  records: number;
  /** Whether the schema came from the cache. */
  cached: boolean;
  /**
   * Rewrites a record of the stream to fit `schema` where inference widened mixed kinds to string
   * (see `compileCoercion`); absent when records fit as they are.
   */
  coerce?: (record: JsonRecord) => JsonRecord;
}

/** A stream whose schema is determined here (as opposed to one whose SCHEMA came in the input). */
interface OwnStream {
  name: string;
  inferrer?: SchemaInferrer;
  cached?: SchemaMessage;
  /** Rewrites a record to the cached schema's widened (string) places. */
  coerce?: (record: JsonRecord) => JsonRecord;
  records: number;
}

/**
 * Determines the schemas of JSON lines of raw records, `{"stream", "record"}` envelopes and Singer
 * messages (what tap-json and `observes schema infer` read): one pass over the lines, then
 * {@link JsonLinesSchemas.result}. Records of streams whose SCHEMA the input declares, and records
 * checked against cached schemas, are validated as they come; bad input fails at its line.
 */
export class JsonLinesSchemas {
  private readonly own = new Map<string, OwnStream>();
  /** Checks the streams the input declares itself, and records against cached schemas. */
  private readonly checker = new StreamChecker();
  private readonly defaultStream: string;
  private readonly keyProperties: string[];
  private state: unknown = {};

  constructor(private readonly options: JsonLinesSchemasOptions = {}) {
    this.defaultStream = options.stream ?? 'records';
    this.keyProperties = options.keyProperties ?? [];
  }

  /**
   * Takes one batch of input lines and returns the Singer messages they stand for, in order (the lines
   * of unselected streams dropped). Records are returned as read: apply the streams' `coerce` once
   * the result is known.
   * @throws ProtocolError naming the line, the stream and the problem on bad input
   */
  async accept(lines: Iterable<{ text: string; line: number }>): Promise<Message[]> {
    const out: Message[] = [];
    for (const { text, line } of lines) {
      const item = classifyInputLine(text, line, this.defaultStream, this.options.raw);
      if (this.options.selected && !isSelected(item, this.options.selected)) continue;
      const record = item.kind === 'record' ? item : item.message.type === 'RECORD' ? item.message : undefined;
      // Records of streams whose SCHEMA the input declared pass through like any other Singer message.
      const declared = record !== undefined && !this.own.has(record.stream) && this.checker.schemas.has(record.stream);
      let message: Message;
      if (record === undefined || declared) {
        message = (item as { message: Message }).message;
        if (message.type === 'SCHEMA' && this.own.has(message.stream)) {
          throw new ProtocolError(line, message.stream, 'invalid-schema', 'SCHEMA after records whose schema is determined from them');
        }
        this.checker.check({ line, message, size: text.length });
      } else {
        const { stream } = record;
        let target = this.own.get(stream);
        if (!target) {
          target = await this.openStream(stream, line);
          this.own.set(stream, target);
        }
        message = item.kind === 'record' ? { type: 'RECORD', stream, record: record.record } : item.message;
        if (target.inferrer) {
          checkKeys(this.keyProperties, record.record, line, stream);
          target.inferrer.observe(record.record);
        } else {
          if (target.coerce) message = { ...(message as Message & { type: 'RECORD' }), record: target.coerce(record.record) };
          this.checker.check({ line, message, size: text.length });
        }
        target.records++;
      }
      if (message.type === 'STATE') this.state = message.value;
      out.push(message);
    }
    return out;
  }

  /** The value of the last STATE message accepted, `{}` when none came. */
  get lastState(): unknown {
    return this.state;
  }

  /** The streams determined so far, in the order they first appeared. */
  result(): DeterminedStream[] {
    const result: DeterminedStream[] = [];
    for (const target of this.own.values()) {
      if (target.cached) {
        // Cached records were already rewritten by accept(): nothing left to coerce.
        result.push({ schema: target.cached, records: target.records, cached: true });
        continue;
      }
      const { schema, widened } = target.inferrer!.result();
      const message: SchemaMessage = { type: 'SCHEMA', stream: target.name, schema, key_properties: this.keyProperties };
      result.push({ schema: message, records: target.records, cached: false, ...(widened ? { coerce: compileCoercion(schema)! } : {}) });
    }
    return result;
  }

  private async openStream(stream: string, line: number): Promise<OwnStream> {
    const cache = this.options.cachedSchemas;
    if (!cache) return { name: stream, inferrer: new SchemaInferrer(), records: 0 };
    const cached = await cache.read(stream);
    if (!cached) throw new ProtocolError(line, stream, 'record-before-schema', `no cached schema for this stream at ${cache.location(stream)}`);
    const message: SchemaMessage = this.options.keyProperties ? { ...cached, key_properties: this.keyProperties } : cached;
    this.checker.check({ line, message, size: 0 });
    return { name: stream, cached: message, coerce: compileCoercion(message.schema), records: 0 };
  }
}

function isSelected(item: InputLine, selected: (stream: string) => boolean): boolean {
  if (item.kind === 'record') return selected(item.stream);
  return item.message.type === 'STATE' || selected(item.message.stream);
}

function checkKeys(keyProperties: string[], record: JsonRecord, line: number, stream: string): void {
  for (const key of keyProperties) {
    const value = record[key];
    if (value === undefined || value === null) {
      throw new ProtocolError(line, stream, 'missing-key-property', `record is missing key property ${JSON.stringify(key)}`);
    }
  }
}
