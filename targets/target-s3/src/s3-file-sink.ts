import { DeleteObjectsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { nextSequence, pipelineId, type CommitInfo, type CommittedState, type JsonSchema, type Logger, type ReadMessage } from '@observes/protocol';
import type { PendingState, S3Manifest, S3ManifestFile, S3ManifestStream, TargetSink } from '@observes/target-core';
import { CommitRecords, type CommitScan } from './commit-records.js';
import type { TargetS3Config } from './config.js';
import { GzipUpload } from './gzip-upload.js';
import { fileKey, manifestKey, streamFolder } from './object-keys.js';
import { CsvEncoder, JsonLinesEncoder, type RecordEncoder } from './record-encoder.js';

/** A file being written. */
interface OpenFile {
  upload: GzipUpload;
  table: string;
  rows: number;
  columns: Set<string>;
}

/** What the target knows of one stream. */
interface StreamFiles {
  schema: JsonSchema;
  schemaText: string;
  keyProperties: string[];
  version?: number;
  encoder: RecordEncoder;
  folder: string;
  /** Finished files, in write order. */
  files: S3ManifestFile[];
  open: Map<string, OpenFile>;
  nextPart: Map<string, number>;
}

/** Options of {@link S3FileSink}. */
export interface S3FileSinkOptions {
  /** Resolved configuration. */
  config: TargetS3Config;
  /** S3 client (see `createS3Client` of `@observes/state`). */
  client: S3Client;
  /** Logger (stderr). */
  logger: Logger;
  /** Clock in ms (default `Date.now`). */
  now: () => number;
  /** Environment (`OBSERVES_PIPELINE`, `OBSERVES_STATE_SEQUENCE`). */
  env: NodeJS.ProcessEnv;
}

/** The part number in a file URL (`…/part-00012.jsonl.gz` → 12). */
const partOf = (url: string) => Number(/part-(\d+)\.[a-z]+\.gz$/.exec(url)?.[1] ?? -1);

/**
 * target-s3's sink for the target runtime: records go straight into gzip files (one folder per stream and
 * run or period, rotated by size); a flush stores every open file, then the manifest (`_manifests/<run>.json`),
 * which lists every finished file and is the commit record: it holds the state with its commit sequence.
 * A run with the same run id as an unfinished one continues its files (its input resumes from that state).
 */
export class S3FileSink implements TargetSink<true> {
  private readonly streams = new Map<string, StreamFiles>();
  /** Streams of the continued manifest not seen again yet: listed as they were. */
  private readonly carried = new Map<string, S3ManifestStream>();
  private committed: CommittedState | undefined;
  /** Records written since the last flush. */
  private written = 0;
  private readonly now: () => number;
  private readonly config: TargetS3Config;
  private readonly env: NodeJS.ProcessEnv;
  private readonly records: CommitRecords;
  private readonly manifestKey: string;
  private scan: CommitScan | undefined;
  /** The manifest the final flush stored. */
  manifest: S3Manifest | undefined;

  constructor(private readonly options: S3FileSinkOptions) {
    this.config = options.config;
    this.now = options.now;
    this.env = options.env;
    this.manifestKey = manifestKey(this.config.prefix, this.runName);
    this.records = new CommitRecords(options.client, this.config.bucket, this.config.prefix, pipelineId(this.config.state_id, 'default', this.env));
  }

  private get runName(): string {
    return this.config.period ?? this.config.run_id;
  }

  /** The pipeline's last committed state (what `--committed-state` prints), or undefined. */
  async committedState(): Promise<CommittedState | undefined> {
    return (await this.records.scan(this.manifestKey)).committed;
  }

  handle(read: ReadMessage): Promise<void> | undefined {
    const message = read.message;
    switch (message.type) {
      case 'SCHEMA':
        return this.onSchema(message.stream, message.schema, message.key_properties);
      case 'RECORD':
        this.written++;
        return this.onRecord(message.stream, message.record);
      case 'ACTIVATE_VERSION':
        this.streams.get(message.stream)!.version = message.version;
        return undefined;
    }
    return undefined;
  }

  buffered(): number {
    return this.written;
  }

  /** Every flush stores every open file: the records are in them already. */
  take(): true {
    this.written = 0;
    return true;
  }

  /** Stores every open file, then the manifest (the commit) with the state and its commit record. */
  async commit(_batch: true | undefined, state: PendingState | undefined, final: boolean): Promise<CommitInfo | undefined> {
    for (const files of this.streams.values()) await this.closeFiles(files);
    if (state)
      this.committed = {
        value: state.value,
        sequence: nextSequence(this.committed?.sequence, this.env),
        run_id: this.config.run_id,
        committed_at: new Date(this.now()).toISOString(),
      };
    const manifest = this.buildManifest(final);
    await this.records.advanceHead(this.scan!, this.runName, this.manifestKey);
    await this.records.putManifest(this.manifestKey, manifest);
    this.scan!.headStored = true;
    if (final) this.manifest = manifest;
    if (!state) return undefined;
    const { value: _value, ...commit } = this.committed!;
    return commit;
  }

  /** Failed: aborts the uploads in progress. Done with a period: removes the period's earlier files this run did not rewrite. */
  async close(failed: boolean): Promise<void> {
    if (failed) await this.abortOpenFiles();
    else if (this.config.period) await this.deleteStaleFiles();
  }

  private async onSchema(stream: string, schema: JsonSchema, keyProperties: string[]): Promise<void> {
    const schemaText = JSON.stringify([schema, keyProperties]);
    const known = this.streams.get(stream);
    if (known && known.schemaText === schemaText) return;
    if (known && this.config.format === 'csv') await this.closeFiles(known); // a CSV file has one column list
    const encoder =
      this.config.format === 'csv' ? new CsvEncoder(stream, schema, keyProperties, this.config.max_nesting) : (known?.encoder ?? new JsonLinesEncoder(stream));
    if (known) Object.assign(known, { schema, schemaText, keyProperties, encoder });
    else {
      const folder = streamFolder(this.config.prefix, stream, this.runName);
      // A continued stream keeps its listed files; new parts are numbered after them (unlisted parts of the killed attempt are overwritten).
      const carried = this.carried.get(stream);
      this.carried.delete(stream);
      const files = carried?.files ?? [];
      const nextPart = new Map<string, number>();
      for (const file of files) nextPart.set(file.table, Math.max(nextPart.get(file.table) ?? 0, partOf(file.url) + 1));
      this.streams.set(stream, { schema, schemaText, keyProperties, encoder, folder, files, open: new Map(), nextPart, version: carried?.version });
    }
  }

  private async onRecord(stream: string, record: Record<string, unknown>): Promise<void> {
    const files = this.streams.get(stream)!;
    for (const chunk of files.encoder.encode(record)) {
      const file = this.openFile(files, chunk.table);
      await file.upload.write(chunk.text);
      file.rows += chunk.rows;
      for (const column of chunk.columns) file.columns.add(column);
      if (file.upload.bytesIn >= this.config.max_file_bytes) await this.closeFile(files, file);
    }
  }

  private openFile(files: StreamFiles, table: string): OpenFile {
    let file = files.open.get(table);
    if (!file) {
      const part = files.nextPart.get(table) ?? 0;
      files.nextPart.set(table, part + 1);
      const key = fileKey(files.folder, part, this.config.format, table);
      const upload = new GzipUpload(
        this.options.client,
        this.config.bucket,
        key,
        this.config.part_size_bytes,
        this.config.format === 'csv' ? 'text/csv' : 'application/x-ndjson',
      );
      file = { upload, table, rows: 0, columns: new Set() };
      files.open.set(table, file);
    }
    return file;
  }

  private async closeFile(files: StreamFiles, file: OpenFile): Promise<void> {
    files.open.delete(file.table);
    files.files.push(await this.store(file));
  }

  /** Closes a stream's open files concurrently, listing them in the order they were opened. */
  private async closeFiles(files: StreamFiles): Promise<void> {
    const open = [...files.open.values()];
    files.open.clear();
    files.files.push(...(await Promise.all(open.map((file) => this.store(file)))));
  }

  private async store(file: OpenFile): Promise<S3ManifestFile> {
    const { key, bytes } = await file.upload.close();
    this.options.logger.debug('file stored', { key, rows: file.rows, bytes });
    return { url: `s3://${this.config.bucket}/${key}`, table: file.table, rows: file.rows, bytes, columns: [...file.columns] };
  }

  /**
   * Finds the last committed state and this run's manifest: an unfinished one (an earlier attempt of
   * the same run id, killed) is continued, a finished one (a period run again) is started over.
   */
  async open(): Promise<void> {
    this.scan = await this.records.scan(this.manifestKey);
    this.committed = this.scan.committed;
    const own = this.scan.own;
    if (own && !own.complete) {
      for (const [stream, listed] of Object.entries(own.streams)) this.carried.set(stream, listed);
      this.options.logger.info('continuing the files of an unfinished attempt of this run', { manifest: this.manifestKey, sequence: own.commit?.sequence });
    }
  }

  private buildManifest(complete: boolean): S3Manifest {
    const streams: Record<string, S3ManifestStream> = Object.fromEntries(this.carried);
    for (const [stream, s] of this.streams)
      streams[stream] = { schema: s.schema, key_properties: s.keyProperties, ...(s.version !== undefined ? { version: s.version } : {}), files: s.files };
    const committed = this.committed;
    return {
      manifest_version: 1,
      run_id: this.runName,
      created_at: new Date(this.now()).toISOString(),
      format: this.config.format === 'csv' ? 'csv.gz' : 'jsonl.gz',
      streams,
      ...(committed
        ? {
            state: committed.value,
            commit: {
              sequence: committed.sequence,
              ...(committed.run_id ? { run_id: committed.run_id } : {}),
              ...(committed.committed_at ? { committed_at: committed.committed_at } : {}),
            },
          }
        : {}),
      ...(complete ? { complete: true } : {}),
    };
  }

  /** With a period: removes files of an earlier run of the period that this run did not rewrite. */
  private async deleteStaleFiles(): Promise<void> {
    const client = this.options.client;
    for (const files of this.streams.values()) {
      const kept = new Set(files.files.map((f) => f.url));
      let token: string | undefined;
      const stale: string[] = [];
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: this.config.bucket, Prefix: files.folder, ContinuationToken: token }));
        for (const object of page.Contents ?? []) if (object.Key && !kept.has(`s3://${this.config.bucket}/${object.Key}`)) stale.push(object.Key);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      for (let i = 0; i < stale.length; i += 1000) {
        await client.send(new DeleteObjectsCommand({ Bucket: this.config.bucket, Delete: { Objects: stale.slice(i, i + 1000).map((Key) => ({ Key })) } }));
      }
      if (stale.length) this.options.logger.info("replaced the period's earlier files", { folder: files.folder, deleted: stale.length });
    }
  }

  private async abortOpenFiles(): Promise<void> {
    await Promise.all([...this.streams.values()].flatMap((s) => [...s.open.values()].map((f) => f.upload.abort())));
  }
}
