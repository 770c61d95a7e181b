import type { Readable, Writable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { readFileSync } from 'node:fs';
import {
  InputError,
  MessageWriter,
  ProtocolError,
  formatMessage,
  parseJsonLossless,
  readLineBatches,
  serializeJson,
  type CommitInfo,
  type CommittedState,
  type InvalidTextPolicy,
  type Logger,
} from '@observes/protocol';
import { planStream, type S3Manifest, type S3ManifestFile } from '@observes/target-core';
import { BatchLoader } from './batch-loader.js';
import type { TargetConfig } from './config.js';
import { loadCsvFiles } from './csv-file-loader.js';
import { dialectFor } from './dialects/registry.js';
import { s3Client } from './s3-staging.js';
import { runTarget, stateTableOf } from './target.js';
import { openWarehouse } from './warehouse.js';

/**
 * The state `--from-s3` commits and echoes: the manifests loaded (URL → `created_at`, the newest
 * {@link LOADED_KEPT}) and the last one's own state. Given back (`--state`, or found in `_sdc_state`), a
 * manifest it lists is not loaded again.
 */
export interface FromS3State {
  loaded_manifests: Record<string, string>;
  state?: unknown;
}

/** Manifests a {@link FromS3State} remembers. */
const LOADED_KEPT = 50;

/** The state after loading `manifest` from `url`, on top of what was loaded before. Pure. */
export function afterLoading(before: FromS3State | undefined, url: string, manifest: S3Manifest): FromS3State {
  const loaded = Object.entries(before?.loaded_manifests ?? {}).filter(([u]) => u !== url);
  loaded.push([url, manifest.created_at]);
  return { loaded_manifests: Object.fromEntries(loaded.slice(-LOADED_KEPT)), ...(manifest.state !== undefined ? { state: manifest.state } : {}) };
}

/** Whether `state` lists this manifest (same URL, same `created_at`) as loaded. Pure. */
export function alreadyLoaded(state: unknown, url: string, manifest: S3Manifest): boolean {
  const loaded = (state as Partial<FromS3State> | undefined)?.loaded_manifests;
  return typeof loaded === 'object' && loaded !== null && loaded[url] === manifest.created_at;
}

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
  /** `--state`: a state this command echoed before (see {@link FromS3State}). */
  stateFile?: string;
  /** Where progress is logged (stderr). */
  log: Logger;
}

/**
 * Loads what target-s3 wrote, listed by its manifest. `jsonl.gz` files are streamed, gunzipped and fed
 * through the normal record pipeline as the Singer stream they came from (merge by key, ACTIVATE_VERSION
 * replaces a versioned stream). `csv.gz` files of flattened rows are loaded per stream in one transaction
 * (see `loadCsvFiles`). The manifest's state is echoed at the end.
 */
export async function loadFromS3({ config, manifestUrl, stateFile, output, log }: LoadFromS3Options): Promise<void> {
  const client = s3Client(config.s3 ?? { bucket: '', prefix: '', region: process.env.AWS_REGION ?? 'us-east-1' });
  try {
    const body = async (url: string): Promise<Readable> => {
      const { bucket, key } = parseS3Url(url);
      const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return response.Body as Readable;
    };
    const manifestText = Buffer.concat(await (await body(manifestUrl)).toArray()).toString('utf8');
    const manifest = parseJsonLossless(manifestText) as S3Manifest;
    if (manifest.manifest_version !== 1) throw new InputError(`${manifestUrl}: unsupported manifest_version ${String(manifest.manifest_version)}`);
    const read = async function* (file: S3ManifestFile): AsyncGenerator<Buffer> {
      yield* (await body(file.url)).pipe(createGunzip());
    };
    const given = stateFile === undefined ? undefined : readState(stateFile);
    const warehouse = await openWarehouse(config);
    const definition = dialectFor(warehouse.dialect);
    const dialect = definition.defaultSql;
    let committed: CommittedState | undefined;
    try {
      committed = await stateTableOf(warehouse, () => dialect, config).read();
    } finally {
      if (manifest.format === 'jsonl.gz') await warehouse.close();
    }
    const writer = new MessageWriter(output);
    const echo = async (value: unknown, commit?: CommitInfo) => {
      await writer.writeRaw(serializeJson({ type: 'STATE', value, ...(commit ? { commit } : {}) }) + '\n');
      await writer.end();
    };
    // A load that committed and died before its state was saved, or a retry of a finished one: nothing to do again.
    const known = [committed?.value, given].find((state) => alreadyLoaded(state, manifestUrl, manifest));
    if (known !== undefined) {
      log.info('manifest already loaded: skipped', { manifest: manifestUrl, created_at: manifest.created_at });
      if (manifest.format !== 'jsonl.gz') await warehouse.close();
      const commit = known === committed?.value ? { sequence: committed.sequence, run_id: committed.run_id, committed_at: committed.committed_at } : undefined;
      await echo(known, commit);
      return;
    }
    const after = afterLoading((committed?.value ?? given) as FromS3State | undefined, manifestUrl, manifest);
    log.info('loading from S3', { manifest: manifestUrl, format: manifest.format, streams: Object.keys(manifest.streams).length });
    if (manifest.format === 'jsonl.gz') {
      await runTarget({
        config,
        input: manifestMessages(manifest, read, { invalidText: config.invalid_text, log, state: after }),
        output,
        log,
        runId: manifest.run_id,
      });
      return;
    }
    let commit: CommitInfo | undefined;
    try {
      const stateTable = stateTableOf(warehouse, () => loader.dialect, config);
      const loader = new BatchLoader(warehouse, definition, config, log, { runId: manifest.run_id, writeLock: () => stateTable.writeLockStatements() });
      await loader.init();
      const loads = Object.entries(manifest.streams).map(([stream, s]) => ({
        plan: planStream(stream, s.schema, s.key_properties, {
          maxNesting: config.max_nesting,
          metadataColumns: config.add_metadata_columns,
          deletedAtColumn: config.hard_delete,
          limits: loader.limits,
        }),
        files: s.files,
        replace: s.version !== undefined,
      }));
      // Every stream and the state in ONE transaction: a crash leaves all of the manifest loaded, or none of it.
      await loadCsvFiles(
        loader,
        warehouse,
        config,
        log,
        loads,
        read,
        async () => void (commit = await stateTable.write(after, process.env.OBSERVES_RUN_ID ?? manifest.run_id)),
      );
    } finally {
      await warehouse.close();
    }
    await echo(after, commit);
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
export async function* manifestMessages(
  manifest: S3Manifest,
  read: (file: S3ManifestFile) => AsyncIterable<Buffer>,
  options: ManifestMessageOptions = {},
): AsyncGenerator<string> {
  const { checkpoint } = options;
  for (const [stream, s] of Object.entries(manifest.streams)) {
    yield formatMessage({ type: 'SCHEMA', stream, schema: s.schema, key_properties: s.key_properties });
    const head = `{"type":"RECORD","stream":${JSON.stringify(stream)},${s.version === undefined ? '' : `"version":${s.version},`}"record":`;
    for (const file of s.files) {
      let replaced = 0;
      let sinceState = 0;
      const after = checkpoint?.resumeAfter(file) ?? 0;
      try {
        for await (const lines of readLineBatches(read(file), { invalidText: options.invalidText, onReplaced: (_, n) => (replaced += n) })) {
          let chunk = '';
          for (const line of lines) {
            if (line.line <= after) continue;
            chunk += `${head}${line.text}}\n`;
            if (!checkpoint || ++sinceState < checkpoint.every) continue;
            sinceState = 0;
            chunk += formatMessage({ type: 'STATE', value: checkpoint.state(file, line.line) });
          }
          if (chunk) yield chunk;
        }
      } catch (error) {
        throw error instanceof ProtocolError ? new InputError(`stream ${JSON.stringify(stream)}: file ${file.url}: ${error.message}`, { cause: error }) : error;
      }
      if (replaced > 0)
        options.log?.warn('bytes that are not UTF-8 were replaced with U+FFFD (invalid_text is "replace")', { stream, file: file.url, replaced });
    }
    if (s.version !== undefined) yield formatMessage({ type: 'ACTIVATE_VERSION', stream, version: s.version });
  }
  const state = options.state ?? manifest.state;
  if (state !== undefined) yield formatMessage({ type: 'STATE', value: state });
}

/** Options of {@link manifestMessages}. */
export interface ManifestMessageOptions {
  invalidText?: InvalidTextPolicy;
  log?: Logger;
  /** The STATE after the manifest's records (default: the manifest's own). */
  state?: unknown;
  /**
   * A STATE every `every` records naming how far into its file they reach, so appended rows of a file
   * larger than a batch commit with a state that covers them; a resumed load skips a file's lines up
   * to `resumeAfter(file)`.
   */
  checkpoint?: { every: number; state(file: S3ManifestFile, line: number): unknown; resumeAfter(file: S3ManifestFile): number };
}

/** The JSON of a `--state` file. */
export function readState(file: string): unknown {
  try {
    return parseJsonLossless(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new InputError(`cannot read the state file ${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
