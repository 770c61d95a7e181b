import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { createGzip, type Gzip } from 'node:zlib';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';

/** Text is handed to gzip in pieces of about this many characters. */
const GZIP_WRITE_CHARS = 64 * 1024;

/** What one finished file holds. */
export interface UploadedFile {
  /** Object key. */
  key: string;
  /** Compressed bytes stored. */
  bytes: number;
}

/**
 * One gzip object being written to S3 while it is produced: text goes through gzip into a
 * multipart upload (`@aws-sdk/lib-storage`), so a large file never sits in memory whole.
 * `write` honours backpressure; `close` resolves once S3 has the whole object.
 */
export class GzipUpload {
  /** Uncompressed bytes written so far (what rotation looks at). */
  bytesIn = 0;
  private bytesOut = 0;
  private readonly gzip: Gzip;
  private readonly done: Promise<unknown>;
  private readonly upload: Upload;
  private failure: Error | undefined;
  /** Text not yet handed to gzip (less than {@link GZIP_WRITE_CHARS}). */
  private pending = '';

  constructor(
    client: S3Client,
    readonly bucket: string,
    readonly key: string,
    partSize: number,
    contentType: string,
  ) {
    this.gzip = createGzip();
    const body = new PassThrough();
    this.gzip.on('data', (chunk: Buffer) => {
      this.bytesOut += chunk.length;
    });
    this.gzip.pipe(body);
    const upload = (this.upload = new Upload({
      client,
      params: { Bucket: bucket, Key: key, Body: body, ContentType: contentType },
      partSize,
      queueSize: 2,
      leavePartsOnError: false,
    }));
    this.done = upload.done().catch((error: Error) => {
      this.failure = error;
      this.gzip.destroy();
      throw error;
    });
    this.done.catch(() => undefined); // observed in close(); avoid an unhandled rejection meanwhile
  }

  /** Appends text; resolves when gzip can take more. */
  async write(text: string): Promise<void> {
    if (this.failure) throw this.failure;
    this.bytesIn += Buffer.byteLength(text);
    // Each gzip write is one round trip to the zlib thread pool: one per record made gzip the bottleneck.
    this.pending += text;
    if (this.pending.length >= GZIP_WRITE_CHARS) await this.flushPending();
  }

  private async flushPending(): Promise<void> {
    if (this.failure) throw this.failure;
    const text = this.pending;
    this.pending = '';
    if (text.length > 0 && !this.gzip.write(text)) {
      await Promise.race([once(this.gzip, 'drain'), this.done]);
      if (this.failure) throw this.failure;
    }
  }

  /** Gives up on the file: S3 discards the parts uploaded so far and no object appears. */
  async abort(): Promise<void> {
    this.pending = '';
    this.gzip.destroy();
    await this.upload.abort().catch(() => undefined);
    await this.done.catch(() => undefined);
  }

  /** Ends the file and waits until S3 stored it. */
  async close(): Promise<UploadedFile> {
    await this.flushPending();
    this.gzip.end();
    await this.done;
    return { key: this.key, bytes: this.bytesOut };
  }
}
