import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type PutObjectCommandInput, type S3Client } from '@aws-sdk/client-s3';
import { BlobStateStore } from './blob-state-store.js';
import { createS3Client, isTransientS3Error, type S3Location } from './s3-client.js';
import { withRetry } from './retry.js';
import type { Blob, StateBlobs } from './state-blobs.js';
import type { HistoryRetention } from './state-store.js';

/** Options of {@link S3StateStore}. */
export interface S3StateStoreOptions {
  /** Client to use (default {@link createS3Client} with the SDK's own retries off: this store retries). */
  client?: S3Client;
  /** Retries of each operation on transient errors (default 6, about 12 s of backoff at most). */
  retries?: number;
  /** First backoff cap in ms (default 200). */
  baseDelayMs?: number;
  /** Called on each retry, to log it. */
  onRetry?: (error: unknown, retry: number, delayMs: number) => void;
}

/** Thrown when a written state does not read back identical: retried like a transient error. */
class StateMismatchError extends Error {
  readonly $retryable = true;
}

const status = (error: unknown) => (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
/** 412: a conditional request whose condition failed (the object exists, or changed). */
const preconditionFailed = (error: unknown) => status(error) === 412 || (error as { name?: string }).name === 'PreconditionFailed';
/** 409 ConditionalRequestConflict: another conditional write on the key was in flight; try again. */
const retryable = (error: unknown) => status(error) === 409 || isTransientS3Error(error);

/**
 * {@link StateBlobs} in one bucket. A PUT replaces an object atomically; a state PUT is read back and
 * compared before it counts (an upload cut short but acknowledged is retried). Conditional writes use
 * `If-None-Match: *` and `If-Match: <ETag>` (PUT and DELETE), which S3 enforces. Transient errors
 * (5xx, SlowDown, 409 conflicts of conditional writes) are retried with backoff.
 */
export class S3Blobs implements StateBlobs {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly options: Pick<S3StateStoreOptions, 'retries' | 'baseDelayMs' | 'onRetry'> = {},
  ) {}

  get(key: string): Promise<Blob | undefined> {
    return this.retry(() => this.fetch(key));
  }

  async put(key: string, text: string): Promise<void> {
    await this.retry(async () => {
      await this.send({ Key: key, Body: text });
      const stored = await this.fetch(key);
      if (stored?.text !== text) throw new StateMismatchError(`s3://${this.bucket}/${key} did not read back as written`);
    });
  }

  create(key: string, text: string): Promise<string | undefined> {
    return this.conditionalPut({ Key: key, Body: text, IfNoneMatch: '*' });
  }

  replace(key: string, text: string, tag: string): Promise<string | undefined> {
    return this.conditionalPut({ Key: key, Body: text, IfMatch: tag });
  }

  async remove(key: string, tag?: string): Promise<boolean> {
    try {
      await this.retry(() => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key, ...(tag ? { IfMatch: tag } : {}) })));
      return true;
    } catch (error) {
      if (preconditionFailed(error) || status(error) === 404) return false;
      throw error;
    }
  }

  async list(prefix: string): Promise<Array<{ name: string; bytes: number }>> {
    const out: Array<{ name: string; bytes: number }> = [];
    let token: string | undefined;
    do {
      const page = await this.retry(() => this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token })));
      for (const object of page.Contents ?? []) {
        const name = object.Key?.slice(prefix.length);
        if (name && !name.includes('/')) out.push({ name, bytes: object.Size ?? 0 });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out;
  }

  private async conditionalPut(input: Omit<PutObjectCommandInput, 'Bucket'>): Promise<string | undefined> {
    try {
      return (await this.retry(() => this.send(input))) ?? '';
    } catch (error) {
      if (preconditionFailed(error)) return undefined;
      throw error;
    }
  }

  private async send(input: Omit<PutObjectCommandInput, 'Bucket'>): Promise<string | undefined> {
    const response = await this.client.send(new PutObjectCommand({ Bucket: this.bucket, ContentType: 'application/json', ...input }));
    return response.ETag;
  }

  private async fetch(key: string): Promise<Blob | undefined> {
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return { text: await response.Body!.transformToString('utf8'), tag: response.ETag ?? '' };
    } catch (error) {
      if ((error as { name?: string }).name === 'NoSuchKey' || status(error) === 404) return undefined;
      throw error;
    }
  }

  private retry<T>(operation: () => Promise<T>): Promise<T> {
    return withRetry(operation, {
      retries: this.options.retries ?? 6,
      baseDelayMs: this.options.baseDelayMs,
      isRetryable: retryable,
      onRetry: this.options.onRetry,
    });
  }
}

/**
 * A state store in one S3 object, history as copies under `<key>.history/` (works with or without
 * bucket versioning, and on S3-compatible servers that lack it), the lock at `<key>.lock`.
 */
export class S3StateStore extends BlobStateStore {
  constructor(
    readonly location: S3Location,
    options: S3StateStoreOptions & { history?: HistoryRetention } = {},
  ) {
    super(
      `s3://${location.bucket}/${location.key}`,
      new S3Blobs(options.client ?? createS3Client({ maxAttempts: 1 }), location.bucket, options),
      location.key,
      options.history,
    );
  }
}
