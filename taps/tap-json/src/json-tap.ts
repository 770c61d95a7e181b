import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import {
  formatMessage,
  MessageWriter,
  parseMessage,
  ProtocolError,
  readLineBatches,
  StreamChecker,
  type JsonRecord,
  type Message,
  type SchemaMessage,
} from '@observes/protocol';
import { classifyInputLine, type InputLine } from './input-line.js';
import type { SchemaCache } from './schema-cache.js';
import { SchemaInferrer } from './schema-inference.js';
import { compileCoercion } from './value-coercion.js';

/** Options of {@link runJsonTap}. */
export interface JsonTapOptions {
  /** Stream of bare objects (lines that are neither envelopes nor Singer messages). Default `records`. */
  stream?: string;
  /** Key properties of every stream whose schema tap-json determines; default none (or the cached ones). */
  keyProperties?: string[];
  /**
   * Schema cache. Without `useCachedSchema`, inferred schemas are saved to it; with it, schemas are
   * read from it.
   */
  schemaCache?: SchemaCache;
  /** Emit only the SCHEMA messages, no records (nothing is spooled). Default false. */
  onlySchema?: boolean;
  /**
   * Take each stream's schema from `schemaCache` instead of inferring it: every record must fit it,
   * else the run fails naming the line, the stream and the field. Where the schema says string,
   * other values are written as their JSON text (the widening rule of inference), so the data a
   * schema was inferred from always fits it. Default false.
   */
  useCachedSchema?: boolean;
  /** Treat every line as a raw record of `stream`, even one that looks like an envelope or a Singer message. */
  raw?: boolean;
  /** Directory for the spool file holding the input until its schema is known; default the OS temp dir. */
  spoolDir?: string;
  /** Longest accepted input line in bytes (see the protocol's line reader); default 128 MiB. */
  maxLineBytes?: number;
  /** Streams to emit (a catalog's selection); the lines of other streams are dropped. Default all. */
  selected?: (stream: string) => boolean;
}

/** What {@link runJsonTap} determined for one stream. */
export interface JsonTapStream {
  /** The SCHEMA message emitted (inferred or cached). */
  schema: SchemaMessage;
  /** Records read for the stream. */
  records: number;
  /** Whether the schema came from the cache. */
  cached: boolean;
}

/** A stream whose schema tap-json determines (as opposed to one whose SCHEMA came in the input). */
interface OwnStream {
  name: string;
  inferrer?: SchemaInferrer;
  cached?: SchemaMessage;
  /** Rewrites a record to the cached schema's widened (string) places. */
  coerce?: (record: JsonRecord) => JsonRecord;
  records: number;
}

/**
 * tap-json: reads JSON lines of raw records from `input` and writes Singer SCHEMA messages followed by
 * the RECORD messages (and any Singer messages of the input, in their order) to `output`.
 * The input is spooled to a temporary file while its schema is determined, because no RECORD may be
 * written before the SCHEMA that covers the whole input; bad input fails before anything is written.
 * The output ends with a STATE: the input's last one, else `{}`.
 * Returns the streams it determined, in the order they first appeared.
 * @throws ProtocolError naming the line, the stream and the problem on bad input
 */
export async function runJsonTap(input: Readable, output: Writable, options: JsonTapOptions = {}): Promise<JsonTapStream[]> {
  const defaultStream = options.stream ?? 'records';
  const keyProperties = options.keyProperties ?? [];
  if (options.useCachedSchema && !options.schemaCache) throw new Error('useCachedSchema needs a schema cache');
  const own = new Map<string, OwnStream>();
  // Checks the streams the input declares itself, and records against cached schemas.
  const checker = new StreamChecker();
  const spoolDir = options.onlySchema ? undefined : await mkdtemp(join(options.spoolDir ?? tmpdir(), 'tap-json-'));
  const spoolPath = spoolDir && join(spoolDir, 'spool.jsonl');
  let lastState: unknown = {};
  const spoolFile = spoolPath ? createWriteStream(spoolPath) : undefined;
  try {
    const spool = spoolFile && new MessageWriter(spoolFile);
    for await (const lines of readLineBatches(input, { maxLineBytes: options.maxLineBytes })) {
      // One spool write per input batch: the lines of a batch are formatted into one string.
      let spooled = '';
      for (const { text, line } of lines) {
        const item = classifyInputLine(text, line, defaultStream, options.raw);
        if (options.selected && !isSelected(item, options.selected)) continue;
        const record = item.kind === 'record' ? item : item.message.type === 'RECORD' ? item.message : undefined;
        // Records of streams whose SCHEMA the input declared pass through like any other Singer message.
        const declared = record !== undefined && !own.has(record.stream) && checker.schemas.has(record.stream);
        let message: Message;
        if (record === undefined || declared) {
          message = (item as { message: Message }).message;
          if (message.type === 'SCHEMA' && own.has(message.stream)) {
            throw new ProtocolError(line, message.stream, 'invalid-schema', 'SCHEMA after records whose schema tap-json determines');
          }
          checker.check({ line, message, size: text.length });
        } else {
          const { stream } = record;
          let target = own.get(stream);
          if (!target) {
            target = await openStream(stream, line, options, keyProperties, checker);
            own.set(stream, target);
          }
          message = item.kind === 'record' ? { type: 'RECORD', stream, record: record.record } : item.message;
          if (target.inferrer) {
            checkKeys(keyProperties, record.record, line, stream);
            target.inferrer.observe(record.record);
          } else {
            if (target.coerce) message = { ...(message as Message & { type: 'RECORD' }), record: target.coerce(record.record) };
            checker.check({ line, message, size: text.length });
          }
          target.records++;
        }
        if (message.type === 'STATE') lastState = message.value;
        if (spool) spooled += formatMessage(message);
      }
      if (spool && spooled !== '') await spool.writeRaw(spooled);
    }
    await spool?.end();

    const result: JsonTapStream[] = [];
    const coercions = new Map<string, (record: JsonRecord) => JsonRecord>();
    for (const target of own.values()) {
      if (target.cached) {
        result.push({ schema: target.cached, records: target.records, cached: true });
        continue;
      }
      const { schema, widened } = target.inferrer!.result();
      const message: SchemaMessage = { type: 'SCHEMA', stream: target.name, schema, key_properties: keyProperties };
      if (widened) coercions.set(target.name, compileCoercion(schema)!);
      result.push({ schema: message, records: target.records, cached: false });
    }
    if (options.schemaCache && !options.useCachedSchema) {
      for (const { schema } of result) await options.schemaCache.write(schema);
    }

    const out = new MessageWriter(output);
    for (const { schema } of result) await out.write(schema);
    if (spoolPath) {
      await replaySpool(spoolPath, out, coercions);
      // End on a STATE, as taps do: the input's last one, else an empty one (tap-json keeps no bookmarks).
      await out.write({ type: 'STATE', value: lastState });
    }
    await out.end();
    return result;
  } finally {
    spoolFile?.destroy();
    if (spoolDir) await rm(spoolDir, { recursive: true, force: true });
  }
}

function isSelected(item: InputLine, selected: (stream: string) => boolean): boolean {
  if (item.kind === 'record') return selected(item.stream);
  return item.message.type === 'STATE' || selected(item.message.stream);
}

async function openStream(stream: string, line: number, options: JsonTapOptions, keyProperties: string[], checker: StreamChecker): Promise<OwnStream> {
  if (!options.useCachedSchema) return { name: stream, inferrer: new SchemaInferrer(), records: 0 };
  const cache = options.schemaCache!;
  const cached = await cache.read(stream);
  if (!cached) throw new ProtocolError(line, stream, 'record-before-schema', `no cached schema for this stream at ${cache.location(stream)}`);
  const message: SchemaMessage = options.keyProperties ? { ...cached, key_properties: keyProperties } : cached;
  checker.check({ line, message, size: 0 });
  return { name: stream, cached: message, coerce: compileCoercion(message.schema), records: 0 };
}

function checkKeys(keyProperties: string[], record: JsonRecord, line: number, stream: string): void {
  for (const key of keyProperties) {
    const value = record[key];
    if (value === undefined || value === null) {
      throw new ProtocolError(line, stream, 'missing-key-property', `record is missing key property ${JSON.stringify(key)}`);
    }
  }
}

/** Copies the spooled messages to the output, rewriting the records of widened streams to fit their schema. */
async function replaySpool(path: string, out: MessageWriter, coercions: Map<string, (record: JsonRecord) => JsonRecord>): Promise<void> {
  const file = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  if (coercions.size === 0) {
    for await (const chunk of file) await out.writeRaw(chunk as string);
    return;
  }
  for await (const lines of readLineBatches(file)) {
    let text = '';
    for (const { text: lineText, line } of lines) {
      const message = parseMessage(lineText, line);
      const coerce = message.type === 'RECORD' ? coercions.get(message.stream) : undefined;
      text += coerce && message.type === 'RECORD' ? formatMessage({ ...message, record: coerce(message.record) }) : lineText + '\n';
    }
    await out.writeRaw(text);
  }
}
