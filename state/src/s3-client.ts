import { S3Client } from '@aws-sdk/client-s3';
import { awsClientDefaults, nameTimeouts, type AwsTimeouts } from './aws-client-defaults.js';

/** Options of {@link createS3Client}. */
export interface S3ClientOptions {
  /**
   * S3-compatible endpoint (a local server, MinIO…). Default: `OBSERVES_S3_ENDPOINT`, then
   * `AWS_ENDPOINT_URL_S3`, then `AWS_ENDPOINT_URL`; none means AWS itself.
   */
  endpoint?: string;
  /** Region (default `AWS_REGION`, then `AWS_DEFAULT_REGION`, then `us-east-1`). */
  region?: string;
  /** Attempts the SDK makes per request, including its own retries (default 3, the SDK's). */
  maxAttempts?: number;
  /** Connect and idle timeouts (default {@link AWS_TIMEOUTS}). */
  timeouts?: AwsTimeouts;
}

/** The endpoint {@link createS3Client} would use, if any. */
export function s3EndpointFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.OBSERVES_S3_ENDPOINT || env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined;
}

/**
 * An S3 client. With a custom endpoint it uses path-style addressing and only computes and checks
 * checksums when required: S3-compatible servers do not implement the SDK's default flexible
 * checksums, and streamed uploads to them are otherwise silently corrupted.
 */
export function createS3Client(options: S3ClientOptions = {}): S3Client {
  const endpoint = options.endpoint ?? s3EndpointFromEnv();
  const client = new S3Client({
    ...awsClientDefaults(options.timeouts),
    region: options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    maxAttempts: options.maxAttempts,
    ...(endpoint ? { endpoint, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' } : {}),
  });
  return nameTimeouts(client, 'S3');
}

/** Bucket and key of an `s3://bucket/key` URL. */
export interface S3Location {
  bucket: string;
  key: string;
}

/** Parses `s3://bucket/key`; the key may be empty (a whole bucket) unless `needKey`. */
export function parseS3Url(url: string, needKey = true): S3Location {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (!match || (needKey && !match[2])) throw new Error(`not an S3 URL${needKey ? ' with a key' : ''}: ${url} (expected s3://bucket/key)`);
  return { bucket: match[1], key: match[2] };
}

/**
 * Whether an S3 error is transient: a 5xx, throttling (`SlowDown`), a timeout or a dropped connection.
 * Other 4xx errors (access denied, no such bucket) are not retried.
 */
export function isTransientS3Error(error: unknown): boolean {
  const e = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
  const status = e?.$metadata?.httpStatusCode;
  if (status !== undefined && (status >= 500 || status === 429)) return true;
  if (e?.$retryable) return true;
  const name = e?.name ?? e?.code ?? '';
  return /SlowDown|Throttl|InternalError|ServiceUnavailable|RequestTimeout|TimeoutError|ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|socket hang up/i.test(
    name + ' ' + (error as Error)?.message,
  );
}
