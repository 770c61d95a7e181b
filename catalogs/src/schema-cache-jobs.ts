import { Writable, type Readable } from 'node:stream';
import { runJsonTap, type JsonTapStream } from './json-tap.js';
import type { SchemaCache } from './schema-cache.js';
import { diffSchemas, type SchemaChange } from './schema-diff.js';

/** Options shared by {@link inferToCache} and {@link diffWithCache}. */
export interface SchemaSourceOptions {
  /** JSON lines of raw records (or envelopes, or Singer messages), as tap-json reads them. */
  input: Readable;
  cache: SchemaCache;
  /** Stream name of bare objects; default `records`. */
  stream?: string;
  /** Key properties of the inferred streams; default none. */
  keyProperties?: string[];
  /** Treat every line as a raw record of `stream`. */
  raw?: boolean;
}

/** A Writable that drops what it gets: inference only needs the schemas. */
function discard(): Writable {
  return new Writable({ write: (_chunk, _encoding, done) => done() });
}

/**
 * Infers the schema of every stream of `input` and saves it to the cache (the job that keeps
 * `observes.cache` current). Returns what it saved.
 */
export async function inferToCache(options: SchemaSourceOptions): Promise<JsonTapStream[]> {
  return runJsonTap(options.input, discard(), {
    stream: options.stream,
    keyProperties: options.keyProperties,
    raw: options.raw,
    onlySchema: true,
    schemaCache: options.cache,
  });
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
  const fresh = await runJsonTap(options.input, discard(), {
    stream: options.stream,
    keyProperties: options.keyProperties,
    raw: options.raw,
    onlySchema: true,
  });
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
