import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createS3Client, isTransientS3Error, type S3Location } from './s3-client.js';
import { withRetry } from './retry.js';
import { decodeState, encodeState } from './state-json.js';
import { historyStamp, stampTime, type StateStore, type StateVersion } from './state-store.js';

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

/**
 * A {@link StateStore} in one S3 object. A PUT replaces an object atomically (readers see the old or
 * the new body), and each write is read back and compared before it counts. History is kept as
 * timestamped copies under `<key>.history/` (works with or without bucket versioning, and on
 * S3-compatible servers that lack it). Transient errors (5xx, SlowDown) are retried with backoff.
 */
export class S3StateStore implements StateStore {
  readonly url: string;
  private readonly client: S3Client;
  private readonly options: S3StateStoreOptions;
  private archived = false;

  constructor(readonly location: S3Location, options: S3StateStoreOptions = {}) {
    this.url = `s3://${location.bucket}/${location.key}`;
    this.client = options.client ?? createS3Client({ maxAttempts: 1 });
    this.options = options;
  }

  async read(): Promise<unknown> {
    const text = await this.retry(() => this.getText(this.location.key));
    return text === undefined ? undefined : decodeState(text, this.url);
  }

  async write(value: unknown): Promise<void> {
    if (!this.archived) await this.archive();
    const text = encodeState(value);
    await this.retry(async () => {
      await this.put(this.location.key, text);
      const stored = await this.getText(this.location.key);
      if (stored !== text) throw new StateMismatchError(`state at ${this.url} did not read back as written`);
    });
  }

  async clear(): Promise<void> {
    await this.archive();
    await this.retry(() => this.client.send(new DeleteObjectCommand({ Bucket: this.location.bucket, Key: this.location.key })));
  }

  async history(): Promise<StateVersion[]> {
    const prefix = `${this.location.key}.history/`;
    const versions: StateVersion[] = [];
    let token: string | undefined;
    do {
      const page = await this.retry(() =>
        this.client.send(new ListObjectsV2Command({ Bucket: this.location.bucket, Prefix: prefix, ContinuationToken: token })),
      );
      for (const object of page.Contents ?? []) {
        if (!object.Key?.endsWith('.json')) continue;
        const id = object.Key.slice(prefix.length, -'.json'.length);
        versions.push({ id, time: stampTime(id), bytes: object.Size ?? 0 });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return versions.sort((a, b) => (a.id < b.id ? 1 : -1));
  }

  async readVersion(id: string): Promise<unknown> {
    const key = `${this.location.key}.history/${id}.json`;
    const text = await this.retry(() => this.getText(key));
    if (text === undefined) throw new Error(`no history version ${id} for ${this.url}`);
    return decodeState(text, `s3://${this.location.bucket}/${key}`);
  }

  private async archive(): Promise<void> {
    this.archived = true;
    const text = await this.retry(() => this.getText(this.location.key));
    if (text !== undefined) {
      const key = `${this.location.key}.history/${historyStamp()}.json`;
      await this.retry(() => this.put(key, text));
    }
  }

  private async put(key: string, text: string): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.location.bucket, Key: key, Body: text, ContentType: 'application/json' }));
  }

  private async getText(key: string): Promise<string | undefined> {
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.location.bucket, Key: key }));
      return await response.Body!.transformToString('utf8');
    } catch (error) {
      if ((error as { name?: string }).name === 'NoSuchKey' || (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return undefined;
      throw error;
    }
  }

  private retry<T>(operation: () => Promise<T>): Promise<T> {
    return withRetry(operation, {
      retries: this.options.retries ?? 6,
      baseDelayMs: this.options.baseDelayMs,
      isRetryable: isTransientS3Error,
      onRetry: this.options.onRetry,
    });
  }
}
