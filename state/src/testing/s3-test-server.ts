import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';

/** A running in-process S3 server for tests. */
export interface S3TestServer {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  /** Environment a child process needs to reach it (endpoint and the server's fixed credentials). */
  env: Record<string, string>;
  /** Stops the server and removes its files. */
  close(): Promise<void>;
}

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}

/**
 * Starts `s3rver` on 127.0.0.1 with a temporary directory and the given buckets, and points this
 * process's AWS SDK at it through the environment. Test support only (the testkit may offer the same).
 * Paged listings need node's `--openssl-legacy-provider`, which the root test script sets.
 */
export async function startS3TestServer(buckets: string[]): Promise<S3TestServer> {
  const S3rver = createRequire(import.meta.url)('s3rver') as new (options: object) => S3rverInstance;
  const directory = await mkdtemp(join(tmpdir(), 'observes-s3-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: buckets.map((name) => ({ name })) });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const env = { OBSERVES_S3_ENDPOINT: endpoint, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' };
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  return {
    endpoint,
    env,
    close: async () => {
      for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
      else process.env[k] = v;
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
