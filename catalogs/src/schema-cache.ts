import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { parseMessage, type SchemaMessage } from '@observes/protocol';
import { createS3Client, parseS3Url } from '@observes/state';

/**
 * Where streams' schemas are kept between runs (the `observes.cache` bucket in production): one
 * JSON file per stream, `<prefix><stream>.json`, holding the stream's SCHEMA message.
 */
export interface SchemaCache {
  /** The cache's URL, normalised to end with `/`. */
  readonly url: string;
  /** The URL of one stream's entry. */
  location(stream: string): string;
  /** The stream's cached SCHEMA message, or undefined when the cache has none. */
  read(stream: string): Promise<SchemaMessage | undefined>;
  /** Saves (replaces) the stream's SCHEMA message; readers see the old or the new entry, never a mix. */
  write(message: SchemaMessage): Promise<void>;
}

/** Options of {@link openSchemaCache}. */
export interface SchemaCacheOptions {
  /** S3 client to use for `s3://` URLs; default: one built from `endpoint` and `region`. */
  s3Client?: S3Client;
  /**
   * S3 endpoint for `s3://` URLs (a local S3 server in tests); default `OBSERVES_S3_ENDPOINT`, then
   * `AWS_ENDPOINT_URL_S3`, then `AWS_ENDPOINT_URL`, else AWS itself (see `createS3Client` of @observes/state).
   */
  endpoint?: string;
  /** AWS region for `s3://` URLs; default `AWS_REGION`, else `us-east-1`. */
  region?: string;
}

/** File name of a stream's entry: stream names may hold `/` or other characters a key should not. */
function entryName(stream: string): string {
  return `${encodeURIComponent(stream)}.json`;
}

function formatEntry(message: SchemaMessage): string {
  const entry: SchemaMessage = { type: 'SCHEMA', stream: message.stream, schema: message.schema, key_properties: message.key_properties };
  if (message.bookmark_properties) entry.bookmark_properties = message.bookmark_properties;
  return JSON.stringify(entry, null, 2) + '\n';
}

function parseEntry(text: string, location: string, stream: string): SchemaMessage {
  let message: ReturnType<typeof parseMessage>;
  try {
    message = parseMessage(text.trim(), 1);
  } catch (error) {
    throw new Error(`cached schema ${location} is not a SCHEMA message: ${(error as Error).message}`);
  }
  if (message.type !== 'SCHEMA') throw new Error(`cached schema ${location} is a ${message.type} message, expected SCHEMA`);
  if (message.stream !== stream)
    throw new Error(`cached schema ${location} is for stream ${JSON.stringify(message.stream)}, expected ${JSON.stringify(stream)}`);
  return message;
}

class FileSchemaCache implements SchemaCache {
  readonly url: string;
  private readonly dir: string;

  constructor(dir: string) {
    this.dir = resolve(dir);
    this.url = `file://${this.dir}/`;
  }

  location(stream: string): string {
    return this.url + entryName(stream);
  }

  async read(stream: string): Promise<SchemaMessage | undefined> {
    let text: string;
    try {
      text = await readFile(join(this.dir, entryName(stream)), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    return parseEntry(text, this.location(stream), stream);
  }

  async write(message: SchemaMessage): Promise<void> {
    const path = join(this.dir, entryName(message.stream));
    await mkdir(dirname(path), { recursive: true });
    // Write then rename: a reader never sees a half-written file.
    const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(temp, formatEntry(message));
    await rename(temp, path);
  }
}

class S3SchemaCache implements SchemaCache {
  readonly url: string;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(bucket: string, prefix: string, client: S3Client) {
    this.bucket = bucket;
    this.prefix = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
    this.url = `s3://${bucket}/${this.prefix}`;
    this.client = client;
  }

  location(stream: string): string {
    return this.url + entryName(stream);
  }

  async read(stream: string): Promise<SchemaMessage | undefined> {
    let text: string;
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + entryName(stream) }));
      text = await object.Body!.transformToString('utf8');
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw new Error(`cannot read cached schema ${this.location(stream)}: ${(error as Error).message}`);
    }
    return parseEntry(text, this.location(stream), stream);
  }

  async write(message: SchemaMessage): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.prefix + entryName(message.stream),
        Body: formatEntry(message),
        ContentType: 'application/json',
      }),
    );
  }
}

/**
 * Opens the schema cache at `url`: `s3://bucket/prefix/` (e.g. `s3://observes.cache/dynamodb/`),
 * `file:///absolute/dir`, `file://relative/dir` or a plain directory path.
 * @throws Error when the URL has another scheme or names no bucket
 */
export function openSchemaCache(url: string, options: SchemaCacheOptions = {}): SchemaCache {
  if (url.startsWith('s3://')) {
    const { bucket, key } = parseS3Url(url, false);
    return new S3SchemaCache(bucket, key, options.s3Client ?? createS3Client({ endpoint: options.endpoint, region: options.region }));
  }
  if (url.startsWith('file://')) return new FileSchemaCache(decodeURIComponent(url.slice('file://'.length)));
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) throw new Error(`schema cache URL ${JSON.stringify(url)} must start with s3:// or file://`);
  return new FileSchemaCache(url);
}
