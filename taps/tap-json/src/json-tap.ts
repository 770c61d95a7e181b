import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { formatMessage, MessageWriter, parseMessage, readLineBatches, type JsonRecord } from '@observes/protocol';
import { JsonLinesSchemas, type DeterminedStream } from '@observes/catalogs';
import type { SchemaCache } from '@observes/catalogs/schema-cache';

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
export type JsonTapStream = Omit<DeterminedStream, 'coerce'>;

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
  if (options.useCachedSchema && !options.schemaCache) throw new Error('useCachedSchema needs a schema cache');
  const schemas = new JsonLinesSchemas({
    stream: options.stream,
    keyProperties: options.keyProperties,
    cachedSchemas: options.useCachedSchema ? options.schemaCache : undefined,
    raw: options.raw,
    selected: options.selected,
  });
  const spoolDir = options.onlySchema ? undefined : await mkdtemp(join(options.spoolDir ?? tmpdir(), 'tap-json-'));
  const spoolPath = spoolDir && join(spoolDir, 'spool.jsonl');
  const spoolFile = spoolPath ? createWriteStream(spoolPath) : undefined;
  try {
    const spool = spoolFile && new MessageWriter(spoolFile);
    for await (const lines of readLineBatches(input, { maxLineBytes: options.maxLineBytes })) {
      const messages = await schemas.accept(lines);
      // One spool write per input batch: the lines of a batch are formatted into one string.
      if (spool && messages.length > 0) await spool.writeRaw(messages.map(formatMessage).join(''));
    }
    await spool?.end();

    const determined = schemas.result();
    const coercions = new Map<string, (record: JsonRecord) => JsonRecord>();
    for (const { schema, coerce } of determined) if (coerce) coercions.set(schema.stream, coerce);
    if (options.schemaCache && !options.useCachedSchema) {
      for (const { schema } of determined) await options.schemaCache.write(schema);
    }

    const out = new MessageWriter(output);
    for (const { schema } of determined) await out.write(schema);
    if (spoolPath) {
      await replaySpool(spoolPath, out, coercions);
      // End on a STATE, as taps do: the input's last one, else an empty one (tap-json keeps no bookmarks).
      await out.write({ type: 'STATE', value: schemas.lastState });
    }
    await out.end();
    return determined.map(({ schema, records, cached }) => ({ schema, records, cached }));
  } finally {
    spoolFile?.destroy();
    if (spoolDir) await rm(spoolDir, { recursive: true, force: true });
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
