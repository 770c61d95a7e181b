import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import S3rver from 's3rver';

/** A listening s3rver. */
export interface ListeningS3rver {
  port: number;
  close(): Promise<void>;
}

/** The part of s3rver's filesystem store {@link atomicPuts} replaces. */
interface FilesystemStore {
  getResourcePath(bucket: string, key: string, resource: string): string;
  putMetadata(bucket: string, key: string, metadata: unknown, md5: string): Promise<void>;
  putObject(object: { bucket: string; key: string; content: Buffer | Readable; metadata: unknown }): Promise<{ size: number; md5: string }>;
}

/**
 * Makes s3rver's PUT atomic, as S3's is ("Amazon S3 never adds partial objects",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/Welcome.html#ConsistencyModel): s3rver truncates
 * the object's file and then streams into it, so a reader racing a write (or a writer killed mid-upload)
 * sees an empty or partial object that real S3 never shows. The body goes to a temporary file beside it
 * (a name s3rver's listings ignore) that is renamed over the object once complete.
 */
function atomicPuts(store: FilesystemStore): void {
  store.putObject = async (object) => {
    const path = store.getResourcePath(object.bucket, object.key, 'object');
    const temporary = `${path}.${randomBytes(6).toString('hex')}.partial`;
    await mkdir(dirname(path), { recursive: true });
    const md5 = createHash('md5');
    let size = 0;
    const count = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        md5.update(chunk);
        size += chunk.length;
        callback(null, chunk);
      },
    });
    const body = Buffer.isBuffer(object.content) ? Readable.from([object.content]) : object.content;
    try {
      await pipeline(body, count, createWriteStream(temporary));
      await rename(temporary, path);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    const digest = md5.digest('hex');
    await store.putMetadata(object.bucket, object.key, object.metadata, digest);
    return { size, md5: digest };
  };
}

/** Starts s3rver on 127.0.0.1 with a random port, path-style buckets, storing objects under `directory`. */
export async function listenS3rver(directory: string, buckets: string[]): Promise<ListeningS3rver> {
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    vhostBuckets: false,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  atomicPuts((server as unknown as { store: FilesystemStore }).store);
  const { port } = await server.run();
  return { port, close: () => server.close() };
}
