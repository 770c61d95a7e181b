import type { Readable } from 'node:stream';
import { readLineBatches } from '@observes/protocol';
import { JsonLinesSchemas, type DeterminedStream } from './json-lines-schemas.js';
import type { SchemaCache } from './schema-cache.js';
import { diffSchemas, type SchemaChange } from './schema-diff.js';

/** Options shared by {@link inferToCache} and {@link diffWithCache}. */
export interface SchemaSourceOptions {
  /** JSON lines of raw records (or envelopes, or Singer messages), as tap-json reads them (see {@link JsonLinesSchemas}). */
  input: Readable;
  /** The schema cache to save to or compare with. */
  cache: SchemaCache;
  /** Stream name of bare objects; default `records`. */
  stream?: string;
  /** Key properties of the inferred streams; default none. */
  keyProperties?: string[];
  /** Treat every line as a raw record of `stream`. */
  raw?: boolean;
}

/** Infers the schema of every stream of `input`, in the order the streams first appear. */
async function inferStreams(options: SchemaSourceOptions): Promise<DeterminedStream[]> {
  const schemas = new JsonLinesSchemas({ stream: options.stream, keyProperties: options.keyProperties, raw: options.raw });
  for await (const lines of readLineBatches(options.input)) await schemas.accept(lines);
  return schemas.result();
}

/**
 * Infers the schema of every stream of `input` and saves it to the cache (the job that keeps
 * `observes.cache` current). Returns what it saved.
 * @throws ProtocolError naming the line, the stream and the problem on bad input (nothing is saved)
 */
export async function inferToCache(options: SchemaSourceOptions): Promise<DeterminedStream[]> {
  const streams = await inferStreams(options);
  for (const { schema } of streams) await options.cache.write(schema);
  return streams;
}

/** A fresh inference compared with the cache, for one stream. */
export interface StreamSchemaDiff {
  stream: string;
  /** Cache URL of the stream's entry. */
  location: string;
  /** Whether the cache had an entry (when not, every property is `added`). */
  cached: boolean;
  /** Changes from the cached schema to the fresh one; empty when they agree. */
  changes: SchemaChange[];
  /** Whether the key properties differ. */
  keyChanged: boolean;
}

/** Infers the schema of every stream of `input` and compares it with the cached one; saves nothing. */
export async function diffWithCache(options: SchemaSourceOptions): Promise<StreamSchemaDiff[]> {
  const fresh = await inferStreams(options);
  const out: StreamSchemaDiff[] = [];
  for (const { schema } of fresh) {
    const cached = await options.cache.read(schema.stream);
    out.push({
      stream: schema.stream,
      location: options.cache.location(schema.stream),
      cached: cached !== undefined,
      changes: diffSchemas(cached?.schema ?? { type: 'object', properties: {} }, schema.schema),
      keyChanged: cached !== undefined && options.keyProperties !== undefined && cached.key_properties.join(',') !== schema.key_properties.join(','),
    });
  }
  return out;
}
