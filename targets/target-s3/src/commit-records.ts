import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { parseJsonLossless, serializeJson, type CommittedState } from '@observes/protocol';
import { isTransientS3Error, withRetry } from '@observes/state';
import type { S3Manifest } from '@observes/target-core';
import { headKey } from './object-keys.js';

/** `_manifests/_head/<pipeline>.json`: the pipeline's latest run and the one before it that stored a manifest. */
export interface CommitHead {
  run_id: string;
  /** Key of that run's manifest (absent until its first flush). */
  manifest: string;
  previous?: { run_id: string; manifest: string };
}

/** What a run finds at its start. */
export interface CommitScan {
  /** The newest committed state of the pipeline, if any. */
  committed?: CommittedState;
  /** This run's own manifest, when an earlier attempt of the same run id stored one. */
  own?: S3Manifest;
  head?: CommitHead;
  /** Whether the head's manifest exists (a run may die before its first). */
  headStored: boolean;
}

/**
 * target-s3's commit records: each run's manifest holds the state its files cover with its commit
 * info, and a small head object per pipeline names the latest run's manifest, so that a new run (with
 * a new run id) finds the last committed state without listing the prefix. The head is written once
 * per run, before its first manifest; the manifest write is the commit.
 */
export class CommitRecords {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly prefix: string,
    private readonly pipelineId: string,
  ) {}

  /** Reads the head and the manifests it names, and this run's own manifest at `ownKey`. */
  async scan(ownKey: string): Promise<CommitScan> {
    const head = await this.get<CommitHead>(headKey(this.prefix, this.pipelineId));
    const headManifest = head ? await this.get<S3Manifest>(head.manifest) : undefined;
    const previous = head?.previous && !headManifest ? await this.get<S3Manifest>(head.previous.manifest) : undefined;
    const own = head?.manifest === ownKey ? headManifest : await this.get<S3Manifest>(ownKey);
    let committed: CommittedState | undefined;
    for (const manifest of [headManifest, previous, own]) {
      if (manifest?.state === undefined) continue;
      const sequence = manifest.commit?.sequence ?? 0;
      if (!committed || sequence > committed.sequence) committed = { value: manifest.state, ...manifest.commit, sequence };
    }
    return { committed, own, head, headStored: headManifest !== undefined };
  }

  /** Points the head at this run's manifest (before the manifest is first written), keeping the last run that stored one. */
  async advanceHead(scan: CommitScan, runId: string, manifestKey: string): Promise<void> {
    if (scan.head?.run_id === runId && scan.head.manifest === manifestKey) return;
    const previous = scan.head && scan.headStored ? { run_id: scan.head.run_id, manifest: scan.head.manifest } : scan.head?.previous;
    const head: CommitHead = { run_id: runId, manifest: manifestKey, ...(previous ? { previous } : {}) };
    await this.put(headKey(this.prefix, this.pipelineId), serializeJson(head));
    scan.head = head;
    scan.headStored = false;
  }

  /** Stores a manifest (the commit). */
  async putManifest(key: string, manifest: S3Manifest): Promise<void> {
    await this.put(key, serializeJson(manifest));
  }

  private async put(key: string, body: string): Promise<void> {
    await withRetry(() => this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: 'application/json' })), {
      retries: 4,
      isRetryable: isTransientS3Error,
    });
  }

  private async get<T>(key: string): Promise<T | undefined> {
    try {
      const response = await withRetry(() => this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key })), {
        retries: 4,
        isRetryable: isTransientS3Error,
      });
      return parseJsonLossless(await response.Body!.transformToString('utf8')) as T;
    } catch (error) {
      if ((error as { name?: string }).name === 'NoSuchKey' || (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404)
        return undefined;
      throw error;
    }
  }
}
