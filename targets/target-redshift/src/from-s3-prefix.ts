import type { Readable, Writable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { openSchemaCache } from '@observes/catalogs/schema-cache';
import { MessageWriter, readLineBatches, serializeJson, type CommitInfo, type CommittedState, type Logger, type SchemaMessage } from '@observes/protocol';
import { planStream, type S3ManifestFile, type StreamPlan } from '@observes/target-core';
import { BatchLoader } from './batch-loader.js';
import type { TargetConfig } from './config.js';
import { loadCsvFiles, type CsvLoad } from './csv-file-loader.js';
import type { CsvFileFormat } from './dialects/dialect.js';
import { dialectFor } from './dialects/registry.js';
import { manifestMessages, readState } from './from-s3.js';
import { afterLoadingObjects, fileFormat, objectsToLoad, PARTIAL_STATE_EVERY, withoutPartial, type PrefixObject, type PrefixState } from './prefix-state.js';
import { s3Client } from './s3-staging.js';
import { runTarget, stateTableOf } from './target.js';
import { openWarehouse } from './warehouse.js';

/**
 * `target-redshift --from-s3-prefix s3://bucket/prefix/ --stream <name> --schema-cache <url>`: loads
 * the files a third party pushes under a prefix (the LogRocket case: no tap), each once. The stream's
 * schema comes from the schema cache (`observes schema infer` fills it). The state it commits with the
 * rows, in `_sdc_state`, remembers the objects loaded (prefix-state.ts), so every run loads only new
 * (or rewritten) objects:
 * - CSV (`.csv`, `.csv.gz`; a header row naming top-level fields; an empty field is NULL): every new
 *   file and the state in ONE transaction, each file COPYed into a temp table (redshift: `COPY ... FROM
 *   's3://<file>' ... IGNOREHEADER 1`; postgres: streamed download + `COPY FROM STDIN`), then merged by
 *   key. The stream needs key properties (a CSV row has no row id to merge on).
 * - JSON lines (`.jsonl`, `.ndjson`, `.json`, gzip or not): streamed through the record pipeline (both
 *   dialects), one file at a time; a STATE every few records names the file and its last line sent
 *   (`partial`), so rows commit with a state that covers them even inside a file larger than a batch,
 *   and the state naming the whole file commits with its last rows.
 */

/** Options of {@link loadFromS3Prefix}. */
export interface LoadFromS3PrefixOptions {
  /** Validated settings; `s3.region`/`s3.endpoint` also serve to list and read the prefix. */
  config: TargetConfig;
  /** `s3://bucket/prefix/` the files are pushed to. */
  prefixUrl: string;
  /** Stream (and root table) the files load into. */
  stream: string;
  /** Schema cache URL (`s3://observes.cache/<tap>/` or `file://dir`) holding the stream's SCHEMA. */
  schemaCache: string;
  /** `--state`: a state this command echoed before (used when the warehouse has none). */
  stateFile?: string;
  /** Where the committed state goes (stdout). */
  output: Writable;
  /** Where progress is logged (stderr). */
  log: Logger;
}

/** `s3://bucket/prefix/` → bucket and key prefix (may be empty: the whole bucket). */
export function parsePrefixUrl(url: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (!match) throw new Error(`not an s3://bucket/prefix/ URL: ${url}`);
  return { bucket: match[1], prefix: match[2] };
}

/** Every object under the prefix (ListObjectsV2, page by page). */
async function listPrefix(client: S3Client, bucket: string, prefix: string): Promise<PrefixObject[]> {
  const objects: PrefixObject[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? [])
      objects.push({ key: o.Key!, etag: o.ETag ?? '', lastModified: (o.LastModified ?? new Date(0)).toISOString(), size: o.Size ?? 0 });
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return objects;
}

/** The committed state as a {@link PrefixState}, or a refusal naming why it is another load's. */
function prefixStateOf(value: unknown, prefixUrl: string, pipelineId: string): PrefixState | undefined {
  if (value === undefined || (typeof value === 'object' && value !== null && Object.keys(value).length === 0)) return undefined;
  const state = value as Partial<PrefixState>;
  if (typeof state.loaded !== 'object' || state.loaded === null || typeof state.prefix !== 'string') {
    throw new Error(
      `the committed state of "${pipelineId}" is not a --from-s3-prefix state: give this load its own state_id (or run it under observes run, which files it under the pipeline's name)`,
    );
  }
  if (state.prefix !== prefixUrl)
    throw new Error(`the committed state of "${pipelineId}" is of ${state.prefix}, not ${prefixUrl}: give each prefix its own state_id`);
  return state as PrefixState;
}

/** The CSV header's field names (the first line), read from the start of the object. */
async function csvHeader(body: Readable, gzip: boolean, url: string): Promise<string[]> {
  const source = gzip ? body.pipe(createGunzip()) : body;
  try {
    for await (const lines of readLineBatches(source)) {
      const first = lines[0]?.text;
      if (first !== undefined) return parseCsvLine(first);
    }
  } finally {
    body.destroy();
  }
  throw new Error(`${url}: no header row`);
}

/** One CSV line's fields (RFC 4180 quoting; a header holds no line breaks). */
export function parseCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c !== '\r') field += c;
  }
  fields.push(field);
  return fields;
}

/** The root-table columns of a CSV file's header fields (top-level properties of the schema). */
export function csvColumns(plan: StreamPlan, header: string[], url: string): string[] {
  const root = plan.tables[0];
  const unknown: string[] = [];
  const columns = header.map((name) => {
    const column = root.columns.find((c) => c.role === 'field' && c.path?.length === 1 && c.path[0] === name);
    if (!column) unknown.push(name);
    return column?.name ?? '';
  });
  if (unknown.length > 0)
    throw new Error(
      `stream ${JSON.stringify(plan.stream)}: file ${url} has fields its cached schema does not declare at the top level: ${unknown.map((u) => JSON.stringify(u)).join(', ')}`,
    );
  const missingKeys = plan.keyColumns.filter((k) => !columns.includes(k));
  if (missingKeys.length > 0) throw new Error(`stream ${JSON.stringify(plan.stream)}: file ${url} has no column for the key ${missingKeys.join(', ')}`);
  return columns;
}

/** Loads the prefix's new files; see the module comment. */
export async function loadFromS3Prefix({ config, prefixUrl, stream, schemaCache, stateFile, output, log }: LoadFromS3PrefixOptions): Promise<void> {
  const { bucket, prefix } = parsePrefixUrl(prefixUrl);
  const region = config.s3?.region ?? process.env.AWS_REGION ?? 'us-east-1';
  const client = s3Client(config.s3 ?? { bucket: '', prefix: '', region });
  try {
    const cache = openSchemaCache(schemaCache, { endpoint: config.s3?.endpoint, region });
    const schema: SchemaMessage | undefined = await cache.read(stream);
    if (!schema)
      throw new Error(`the schema cache has no schema for stream ${JSON.stringify(stream)} (${cache.location(stream)}): fill it first (observes schema infer)`);
    const body = async (key: string): Promise<Readable> => (await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body as Readable;
    const read = async function* (file: S3ManifestFile): AsyncGenerator<Buffer> {
      const data = await body(parsePrefixUrl(file.url).prefix);
      yield* fileFormat(file.url)!.gzip ? data.pipe(createGunzip()) : data;
    };
    const listing = await listPrefix(client, bucket, prefix);

    const warehouse = await openWarehouse(config);
    const definition = dialectFor(warehouse.dialect);
    const dialect = definition.defaultSql;
    const stateTable = stateTableOf(warehouse, () => dialect, config);
    let committed: CommittedState | undefined;
    let csv: PrefixObject[] = [];
    let jsonl: PrefixObject[] = [];
    let before: PrefixState | undefined;
    let commit: CommitInfo | undefined;
    try {
      committed = await stateTable.read();
      before = prefixStateOf(committed?.value ?? (stateFile === undefined ? undefined : readState(stateFile)), prefixUrl, stateTable.pipelineId);
      const plan = objectsToLoad(prefixUrl, listing, before);
      for (const o of plan.belowWatermark)
        log.warn("object older than the state's watermark and not listed in it: counted as loaded", {
          key: o.key,
          last_modified: o.lastModified,
          watermark: before?.watermark,
        });
      const unknown = plan.load.filter((o) => !fileFormat(o.key));
      if (unknown.length > 0)
        throw new Error(`${prefixUrl}: files of no known format (.csv, .jsonl, .ndjson, .json, optionally .gz): ${unknown.map((o) => o.key).join(', ')}`);
      csv = plan.load.filter((o) => fileFormat(o.key)!.format === 'csv');
      jsonl = plan.load.filter((o) => fileFormat(o.key)!.format === 'jsonl');
      log.info('loading pushed files', { prefix: prefixUrl, stream, csv: csv.length, jsonl: jsonl.length, already_loaded: listing.length - plan.load.length });

      if (csv.length > 0) {
        const loader = new BatchLoader(warehouse, definition, config, log, {
          runId: process.env.OBSERVES_RUN_ID ?? `prefix-${Date.now()}`,
          writeLock: () => stateTable.writeLockStatements(),
        });
        await loader.init();
        const streamPlan = planStream(stream, schema.schema, schema.key_properties, {
          maxNesting: config.max_nesting,
          metadataColumns: config.add_metadata_columns,
          deletedAtColumn: config.hard_delete,
          limits: loader.limits,
        });
        if (streamPlan.keyProperties.length === 0)
          throw new Error(`stream ${JSON.stringify(stream)}: CSV files load by merging on the key, and its cached schema has no key_properties`);
        const files: S3ManifestFile[] = [];
        for (const o of csv) {
          const url = `s3://${bucket}/${o.key}`;
          files.push({
            url,
            table: streamPlan.tables[0].name,
            rows: 0,
            bytes: o.size,
            columns: csvColumns(streamPlan, await csvHeader(await body(o.key), fileFormat(o.key)!.gzip, url), url),
          });
        }
        const formatOf = (file: S3ManifestFile): CsvFileFormat => ({ gzip: fileFormat(file.url)!.gzip, header: true, nullMarker: false });
        const loads: CsvLoad[] = [{ plan: streamPlan, files, replace: false, formatOf }];
        const after = afterLoadingObjects(prefixUrl, before, csv);
        await loadCsvFiles(loader, warehouse, config, log, loads, read, async () => void (commit = await stateTable.write(after, process.env.OBSERVES_RUN_ID)));
        before = after;
      }
    } finally {
      await warehouse.close();
    }

    if (jsonl.length > 0) {
      // Each file's records with a STATE every few records naming how far into the file they reach, then
      // the state naming the file loaded: the target commits appended rows only with a state that covers
      // them, so a run that dies inside a file resumes after the last committed line of it.
      let state = before;
      const messages = async function* (): AsyncGenerator<string> {
        for (const o of jsonl) {
          const partialOf = state?.partial?.key === o.key && state.partial.etag === o.etag ? state.partial.lines : 0;
          if (partialOf > 0) log.info('resuming a file after its last committed line', { key: o.key, line: partialOf });
          const unfinished = withoutPartial(state, prefixUrl);
          state = afterLoadingObjects(prefixUrl, state, [o]);
          const file: S3ManifestFile = { url: `s3://${bucket}/${o.key}`, table: stream, rows: 0, bytes: o.size, columns: [] };
          yield* manifestMessages(
            {
              manifest_version: 1,
              run_id: '',
              created_at: o.lastModified,
              format: 'jsonl.gz',
              streams: { [stream]: { schema: schema.schema, key_properties: schema.key_properties, files: [file] } },
            },
            read,
            {
              invalidText: config.invalid_text,
              log,
              state,
              checkpoint: {
                every: Math.min(config.batch_size_rows, PARTIAL_STATE_EVERY),
                state: (_, line) => ({ ...unfinished, partial: { key: o.key, etag: o.etag, lines: line } }),
                resumeAfter: () => partialOf,
              },
            },
          );
        }
      };
      await runTarget({ config, input: messages(), output, log, runId: process.env.OBSERVES_RUN_ID });
      return;
    }
    // Nothing to stream: echo the committed state (with its commit when it is the warehouse's).
    const value = before ?? { prefix: prefixUrl, loaded: {} };
    const info =
      commit ?? (committed?.value !== undefined ? { sequence: committed.sequence, run_id: committed.run_id, committed_at: committed.committed_at } : undefined);
    const writer = new MessageWriter(output);
    await writer.writeRaw(serializeJson({ type: 'STATE', value, ...(info ? { commit: info } : {}) }) + '\n');
    await writer.end();
  } finally {
    client.destroy();
  }
}
