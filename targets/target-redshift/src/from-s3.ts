import type { Readable, Writable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { MessageWriter, ProtocolError, formatMessage, readLineBatches, type InvalidTextPolicy, type Logger } from '@observes/protocol';
import { planStream, type S3Manifest, type S3ManifestFile } from '@observes/target-core';
import { BatchLoader } from './batch-loader.js';
import type { TargetConfig } from './config.js';
import { loadCsvFiles } from './csv-file-loader.js';
import { postgresDialect } from './dialects/postgres.js';
import { redshiftDialect } from './dialects/redshift.js';
import { s3Client } from './s3-staging.js';
import { runTarget } from './target.js';
import { openWarehouse } from './warehouse.js';

/** `s3://bucket/key` → bucket and key. */
export function parseS3Url(url: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(url);
  if (!match) throw new Error(`not an s3://bucket/key URL: ${url}`);
  return { bucket: match[1], key: match[2] };
}

/** Options of {@link loadFromS3}. */
export interface LoadFromS3Options {
  /** Validated settings; `s3.region`/`s3.endpoint` also serve to read the manifest and its files. */
  config: TargetConfig;
  /** `s3://bucket/key` of the manifest target-s3 wrote. */
  manifestUrl: string;
  /** Where the manifest's STATE goes once everything is committed (stdout). */
  output: Writable;
  /** Where progress is logged (stderr). */
  log: Logger;
}

/**
 * Loads what target-s3 wrote, listed by its manifest. `jsonl.gz` files are streamed, gunzipped and fed
 * through the normal record pipeline as the Singer stream they came from (merge by key, ACTIVATE_VERSION
 * replaces a versioned stream). `csv.gz` files of flattened rows are loaded per stream in one transaction
 * (see `loadCsvFiles`). The manifest's state is echoed at the end.
 */
export async function loadFromS3({ config, manifestUrl, output, log }: LoadFromS3Options): Promise<void> {
  const client = s3Client(config.s3 ?? { bucket: '', prefix: '', region: process.env.AWS_REGION ?? 'us-east-1' });
  try {
    const body = async (url: string): Promise<Readable> => {
      const { bucket, key } = parseS3Url(url);
      const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return response.Body as Readable;
    };
    const manifestText = Buffer.concat(await (await body(manifestUrl)).toArray()).toString('utf8');
    const manifest = JSON.parse(manifestText) as S3Manifest;
    if (manifest.manifest_version !== 1) throw new Error(`${manifestUrl}: unsupported manifest_version ${String(manifest.manifest_version)}`);
    const read = async function* (file: S3ManifestFile): AsyncGenerator<Buffer> {
      yield* (await body(file.url)).pipe(createGunzip());
    };
    log.info('loading from S3', { manifest: manifestUrl, format: manifest.format, streams: Object.keys(manifest.streams).length });
    if (manifest.format === 'jsonl.gz') {
      await runTarget({ config, input: manifestMessages(manifest, read, { invalidText: config.invalid_text, log }), output, log, runId: manifest.run_id });
      return;
    }
    const warehouse = await openWarehouse(config);
    const dialect = warehouse.dialect === 'postgres' ? postgresDialect : redshiftDialect;
    try {
      const loader = new BatchLoader(warehouse, dialect, config, log, { runId: manifest.run_id });
      await loader.init();
      for (const [stream, s] of Object.entries(manifest.streams)) {
        const plan = planStream(stream, s.schema, s.key_properties, { maxNesting: config.max_nesting, metadataColumns: config.add_metadata_columns, deletedAtColumn: config.hard_delete, maxIdentifierBytes: loader.maxIdentifierBytes });
        await loadCsvFiles(loader, warehouse, loader.dialect, config, log, plan, s.files, s.version !== undefined, read);
      }
    } finally {
      await warehouse.close();
    }
    if (manifest.state !== undefined) {
      const writer = new MessageWriter(output);
      await writer.write({ type: 'STATE', value: manifest.state });
      await writer.end();
    }
  } finally {
    client.destroy();
  }
}

/**
 * The Singer stream a `jsonl.gz` manifest stands for: per stream its SCHEMA, its records (the file lines,
 * wrapped without parsing, so numbers keep their digits), its ACTIVATE_VERSION when versioned; then the state.
 * One chunk per downloaded chunk, so the reader parses in batches. A file's bytes become text through the
 * protocol's line reader (a fatal UTF-8 decoder over whole lines), so a character split across chunks is
 * decoded whole and bytes that are not UTF-8 fail naming the file and its line (or, with `invalidText:
 * 'replace'`, become U+FFFD and are logged with a count).
 */
export async function* manifestMessages(manifest: S3Manifest, read: (file: S3ManifestFile) => AsyncIterable<Buffer>, options: { invalidText?: InvalidTextPolicy; log?: Logger } = {}): AsyncGenerator<string> {
  for (const [stream, s] of Object.entries(manifest.streams)) {
    yield formatMessage({ type: 'SCHEMA', stream, schema: s.schema, key_properties: s.key_properties });
    const head = `{"type":"RECORD","stream":${JSON.stringify(stream)},${s.version === undefined ? '' : `"version":${s.version},`}"record":`;
    for (const file of s.files) {
      let replaced = 0;
      try {
        for await (const lines of readLineBatches(read(file), { invalidText: options.invalidText, onReplaced: (_, n) => (replaced += n) })) {
          yield lines.map((l) => `${head}${l.text}}\n`).join('');
        }
      } catch (error) {
        throw error instanceof ProtocolError ? new Error(`stream ${JSON.stringify(stream)}: file ${file.url}: ${error.message}`) : error;
      }
      if (replaced > 0) options.log?.warn('bytes that are not UTF-8 were replaced with U+FFFD (invalid_text is "replace")', { stream, file: file.url, replaced });
    }
    if (s.version !== undefined) yield formatMessage({ type: 'ACTIVATE_VERSION', stream, version: s.version });
  }
  if (manifest.state !== undefined) yield formatMessage({ type: 'STATE', value: manifest.state });
}
