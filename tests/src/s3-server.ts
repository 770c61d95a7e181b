import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { spawn } from 'node:child_process';
import { createCipheriv } from 'node:crypto';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { listenS3rver, type ListeningS3rver } from './s3rver-listen.js';

/** Access key id s3rver accepts (it checks signatures against this fixed pair). */
export const S3RVER_ACCESS_KEY_ID = 'S3RVER';
/** Secret access key s3rver accepts. */
export const S3RVER_SECRET_ACCESS_KEY = 'S3RVER';

/** The plain S3 settings a target or state store config carries (JSON-serializable). */
export interface S3Settings {
  /** `http://127.0.0.1:<port>`. */
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Path-style addressing (`<endpoint>/<bucket>/<key>`): s3rver does not resolve virtual-host buckets on 127.0.0.1. */
  forcePathStyle: boolean;
}

/** Options of {@link startS3Server}. */
export interface S3ServerOptions {
  /** Buckets to create before the server answers. */
  buckets?: string[];
}

/** A running in-process s3rver. */
export interface S3Server {
  /** `http://127.0.0.1:<port>`. */
  endpoint: string;
  /** Client configured with {@link s3ClientOptions}. */
  client: S3Client;
  /** Settings for a config file (endpoint, region, credentials, path style). */
  s3Config: S3Settings;
  /** Stops the server, destroys the client and deletes the temp directory. */
  stop(): Promise<void>;
}

/**
 * S3 client options that work against s3rver (and any S3-compatible endpoint): path style, and checksums only
 * when required, because the SDK's default streamed-upload checksums (aws-chunked trailers) are stored by
 * s3rver as part of the object, silently corrupting it. Pass no endpoint for real AWS.
 */
export function s3ClientOptions(endpoint?: string, settings: Partial<Omit<S3Settings, 'endpoint'>> = {}): S3ClientConfig {
  return {
    region: settings.region ?? 'us-east-1',
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...(endpoint
      ? {
          endpoint,
          forcePathStyle: settings.forcePathStyle ?? true,
          credentials: {
            accessKeyId: settings.accessKeyId ?? S3RVER_ACCESS_KEY_ID,
            secretAccessKey: settings.secretAccessKey ?? S3RVER_SECRET_ACCESS_KEY,
          },
        }
      : {}),
  };
}

/**
 * Whether this process can run s3rver's paged listings: s3rver encrypts `ListObjectsV2` continuation tokens
 * with DES, which OpenSSL 3 only offers through node's `--openssl-legacy-provider`.
 */
export function legacyCiphersAvailable(): boolean {
  try {
    createCipheriv('des', Buffer.alloc(8), Buffer.alloc(8));
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts s3rver on 127.0.0.1 (random port, temp directory): in-process when {@link legacyCiphersAvailable},
 * otherwise in a child node started with `--openssl-legacy-provider` (so paged listings always work).
 */
export async function startS3Server(options: S3ServerOptions = {}): Promise<S3Server> {
  const directory = mkdtempSync(join(tmpdir(), 'observes-s3-'));
  const buckets = options.buckets ?? [];
  const server = legacyCiphersAvailable() ? await listenS3rver(directory, buckets) : await listenInChild(directory, buckets);
  const endpoint = `http://127.0.0.1:${server.port}`;
  const client = new S3Client(s3ClientOptions(endpoint));
  return {
    endpoint,
    client,
    s3Config: {
      endpoint,
      region: 'us-east-1',
      accessKeyId: S3RVER_ACCESS_KEY_ID,
      secretAccessKey: S3RVER_SECRET_ACCESS_KEY,
      forcePathStyle: true,
    },
    async stop() {
      client.destroy();
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

async function listenInChild(directory: string, buckets: string[]): Promise<ListeningS3rver> {
  const entry = fileURLToPath(new URL('./s3rver-process.js', import.meta.url));
  const child = spawn(process.execPath, ['--openssl-legacy-provider', '--no-warnings', entry, JSON.stringify({ directory, buckets })], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit');
  const firstLine = createInterface({ input: child.stdout })[Symbol.asyncIterator]().next();
  const started = await Promise.race([firstLine, exited.then(() => undefined)]);
  if (!started || started.done) throw new Error(`s3rver child process exited before listening (code ${child.exitCode})`);
  const { port } = JSON.parse(started.value) as { port: number };
  // The child must not keep the test process alive.
  child.unref();
  (child.stdout as unknown as { unref?: () => void }).unref?.();
  return {
    port,
    async close() {
      // Waiting for the exit must keep the process alive, or a caller's `await stop()` never settles.
      child.ref();
      child.stdin.end();
      await exited;
    },
  };
}
