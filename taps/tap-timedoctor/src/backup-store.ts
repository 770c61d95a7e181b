import { createGunzip } from 'node:zlib';
import { pipeline, type Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { InputError, parseJsonLossless, readLineBatches, type JsonRecord } from '@observes/protocol';
import { createS3Client, parseS3Url } from '@observes/state';
import type { S3Manifest } from '@observes/target-core';
import type { TimedoctorConfig } from './config.js';

/** A month's manifest (`<prefix>/_manifests/<YYYY-MM>.json`, written by `target-s3 --period YYYY-MM`). */
const MONTH_MANIFEST = /^(\d{4}-\d{2})\.json$/;

/**
 * Whether a backup holds all of a stream: target-s3 lists a stream's `version` once the tap's ACTIVATE_VERSION
 * went through, and keeps the last STATE its files cover; the tap writes the stream's version into the STATE only
 * after the stream's last record. So the STATE naming the very version the manifest lists means the stream ended
 * in that run. A backup run that died half-way (its manifest rewritten at a flush) fails this test.
 */
export function backupHasWholeStream(manifest: S3Manifest, stream: string): boolean {
  const entry = manifest.streams[stream];
  const state = manifest.state as { bookmarks?: Record<string, { version?: unknown }> } | undefined;
  return manifest.format === 'jsonl.gz' && entry?.version !== undefined && state?.bookmarks?.[stream]?.version === entry.version;
}

/**
 * The monthly backups under an `s3://bucket/prefix`, read through their manifests only (a prefix listing may hold
 * files of runs that died or were replaced; the manifest lists the files of the month's last run).
 */
export class BackupStore {
  private readonly bucket: string;
  private readonly prefix: string;
  private manifests: Promise<Map<string, S3Manifest>> | undefined;

  constructor(
    private readonly client: S3Client,
    url: string,
  ) {
    const { bucket, key } = parseS3Url(url, false);
    this.bucket = bucket;
    this.prefix = key.replace(/\/+$/, '');
  }

  /** The `s3://` URL of the backups, for messages. */
  get url(): string {
    return `s3://${this.bucket}/${this.prefix}`;
  }

  /** Every month's manifest, by month (read once). */
  allManifests(): Promise<Map<string, S3Manifest>> {
    this.manifests ??= this.readManifests();
    return this.manifests;
  }

  /** Months whose backup holds all of `stream`, newest first. */
  async monthsWith(stream: string): Promise<string[]> {
    const months = [...(await this.allManifests())].filter(([, manifest]) => backupHasWholeStream(manifest, stream)).map(([month]) => month);
    return months.sort().reverse();
  }

  /** Months with a manifest whose `stream` is missing or incomplete (a backup run that did not finish). */
  async incompleteMonths(stream: string): Promise<string[]> {
    const complete = new Set(await this.monthsWith(stream));
    return [...(await this.allManifests()).keys()].filter((month) => !complete.has(month)).sort();
  }

  /** The records of `stream` in the backup of `month`, in file order. */
  async *records(month: string, stream: string): AsyncGenerator<JsonRecord> {
    const manifest = (await this.allManifests()).get(month);
    if (!manifest || !backupHasWholeStream(manifest, stream)) throw new Error(`${this.url}: no complete backup of ${stream} for ${month}`);
    for (const file of manifest.streams[stream].files) {
      const { bucket, key } = parseS3Url(file.url);
      const object = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      // pipeline, not pipe: a download failing half-way must fail the read, not leave it waiting for ever.
      const gunzip = createGunzip();
      pipeline(object.Body as Readable, gunzip, () => undefined);
      const lines = readLineBatches(gunzip);
      let rows = 0;
      for await (const batch of lines) {
        for (const line of batch) {
          try {
            yield parseJsonLossless(line.text) as JsonRecord;
          } catch (error) {
            throw new InputError(`${file.url}: line ${line.line}: not a JSON record`, { cause: error });
          }
          rows++;
        }
      }
      // The manifest counts the rows it stored: fewer means the file is not the one it listed.
      if (rows !== file.rows) throw new Error(`${file.url}: ${rows} records, but its manifest (${month}) lists ${file.rows}`);
    }
  }

  private async readManifests(): Promise<Map<string, S3Manifest>> {
    const folder = `${this.prefix ? `${this.prefix}/` : ''}_manifests/`;
    const manifests = new Map<string, S3Manifest>();
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: folder, ContinuationToken: token }));
      for (const object of page.Contents ?? []) {
        const month = MONTH_MANIFEST.exec(object.Key!.slice(folder.length))?.[1];
        if (!month) continue;
        const body = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: object.Key }));
        const manifest = JSON.parse(await body.Body!.transformToString('utf8')) as S3Manifest;
        // target-s3 names a period's manifest and its run id after the period: anything else is not a monthly backup.
        if (manifest.run_id !== month)
          throw new Error(`s3://${this.bucket}/${object.Key}: its run_id is ${JSON.stringify(manifest.run_id)}, not the month ${month}`);
        manifests.set(month, manifest);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return manifests;
  }
}

const stores = new WeakMap<object, BackupStore>();

/** The run's backups (`config.backups`), or undefined without them; one store per HTTP client, so one read per run. */
export function backupsOf(ctx: { http: object; config: Pick<TimedoctorConfig, 'backups' | 's3_endpoint' | 's3_region'> }): BackupStore | undefined {
  if (!ctx.config.backups) return undefined;
  let store = stores.get(ctx.http);
  if (!store)
    stores.set(ctx.http, (store = new BackupStore(createS3Client({ endpoint: ctx.config.s3_endpoint, region: ctx.config.s3_region }), ctx.config.backups)));
  return store;
}
