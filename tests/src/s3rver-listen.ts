import S3rver from 's3rver';

/** A listening s3rver. */
export interface ListeningS3rver {
  port: number;
  close(): Promise<void>;
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
  const { port } = await server.run();
  return { port, close: () => server.close() };
}
