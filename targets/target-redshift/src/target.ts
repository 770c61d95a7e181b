import type { Readable, Writable } from 'node:stream';
import { MessageWriter, StreamChecker, readMessageBatches, serializeJson, type Logger, type ReadMessage, type SchemaMessage } from '@observes/protocol';
import { planStream, type StreamPlan } from '@observes/target-core';
import { BatchLoader, type BufferedRecord } from './batch-loader.js';
import type { TargetConfig } from './config.js';
import { postgresDialect } from './dialects/postgres.js';
import { redshiftDialect } from './dialects/redshift.js';
import { openWarehouse } from './warehouse.js';

/** Longest input line accepted (a SUPER value holds 16 MB). */
const MAX_LINE_BYTES = 64 * 1024 * 1024;

interface StreamBuffer {
  schema: SchemaMessage;
  plan: StreamPlan;
  /** Keyed streams: by serialized key, the last record wins (Map order moves it to the end). */
  byKey?: Map<string, BufferedRecord>;
  list?: BufferedRecord[];
  bytes: number;
  /** Version the buffered records belong to (undefined: live tables). */
  version?: number;
  /** Version assigned to every record at start for `replace_on_eof` streams. */
  eofVersion?: number;
}

/** Options of {@link runTarget}. */
export interface RunTargetOptions {
  config: TargetConfig;
  /** Singer messages (stdin). */
  input: Readable;
  /** Where committed STATE lines go (stdout). */
  output: Writable;
  log: Logger;
}

/**
 * Reads a Singer stream and loads it. A STATE line is written to `output` only once every record before it
 * is committed. Batches flush by rows (per stream), bytes (all streams) and age; any flush flushes every
 * stream so the latest state can follow.
 */
export async function runTarget({ config, input, output, log }: RunTargetOptions): Promise<void> {
  const dialect = config.dialect === 'postgres' ? postgresDialect : redshiftDialect;
  const warehouse = await openWarehouse(config);
  // The AWS SDK takes a while to load: only when S3 staging is configured.
  const stager = config.s3 && dialect.copyFromS3 ? new (await import('./s3-staging.js')).S3Stager(config.s3) : undefined;
  const loader = new BatchLoader(warehouse, dialect, config, log, stager);
  const writer = new MessageWriter(output);
  const checker = new StreamChecker({ validateRecords: config.validate_records });
  const streams = new Map<string, StreamBuffer>();
  const runVersion = Date.now();
  let pendingState: { value: unknown } | undefined;
  let bufferedBytes = 0;
  let bufferedRecords = 0;
  let oldest = 0;
  let sequence = 0;

  const replaceOnEof = (stream: string) => config.replace_on_eof === true || (Array.isArray(config.replace_on_eof) && config.replace_on_eof.includes(stream));

  const flushStream = async (buffer: StreamBuffer) => {
    const records = buffer.byKey ? [...buffer.byKey.values()] : buffer.list!;
    if (records.length === 0) return;
    const started = Date.now();
    await loader.load({ plan: buffer.plan, records, version: buffer.version });
    log.info('batch committed', { stream: buffer.plan.stream, records: records.length, version: buffer.version, ms: Date.now() - started });
    bufferedBytes -= buffer.bytes;
    bufferedRecords -= records.length;
    buffer.byKey?.clear();
    if (buffer.list) buffer.list.length = 0;
    buffer.bytes = 0;
  };

  const flushAll = async () => {
    for (const buffer of streams.values()) await flushStream(buffer);
    oldest = 0;
    await echoState();
  };

  const echoState = async () => {
    if (pendingState && bufferedRecords === 0) {
      await writer.write({ type: 'STATE', value: pendingState.value });
      pendingState = undefined;
    }
  };

  const handle = async (read: ReadMessage) => {
    const message = read.message;
    const current = checker.check(read);
    switch (message.type) {
      case 'SCHEMA': {
        const old = streams.get(message.stream);
        if (old && serializeJson([old.schema.schema, old.schema.key_properties]) === serializeJson([message.schema, message.key_properties])) return;
        if (old) await flushStream(old);
        const plan = planStream(message.stream, message.schema, message.key_properties, { maxNesting: config.max_nesting, metadataColumns: config.add_metadata_columns, maxIdentifierBytes: loader.maxIdentifierBytes });
        const keyed = message.key_properties.length > 0;
        streams.set(message.stream, {
          schema: message,
          plan,
          ...(keyed ? { byKey: new Map() } : { list: [] }),
          bytes: 0,
          version: old?.version,
          eofVersion: replaceOnEof(message.stream) ? runVersion : undefined,
        });
        return;
      }
      case 'RECORD': {
        const buffer = streams.get(message.stream)!;
        const version = message.version ?? buffer.eofVersion;
        if (version !== buffer.version) {
          await flushStream(buffer);
          buffer.version = version;
        }
        const record = message.record;
        const entry: BufferedRecord = { record, line: read.line };
        if (config.add_metadata_columns) {
          const now = new Date().toISOString();
          entry.metadata = {
            _sdc_extracted_at: message.time_extracted ?? null,
            _sdc_received_at: now,
            _sdc_batched_at: now,
            _sdc_deleted_at: record._sdc_deleted_at ?? null,
            _sdc_sequence: ++sequence,
            _sdc_table_version: version ?? null,
          };
        }
        if (buffer.byKey) {
          const key = serializeJson(current!.keyProperties.map((k) => record[k]));
          const previous = buffer.byKey.get(key);
          if (previous) {
            buffer.byKey.delete(key);
            bufferedRecords--;
          }
          buffer.byKey.set(key, entry);
        } else {
          buffer.list!.push(entry);
        }
        bufferedRecords++;
        buffer.bytes += read.size;
        bufferedBytes += read.size;
        if (oldest === 0) oldest = Date.now();
        if ((buffer.byKey?.size ?? buffer.list!.length) >= config.batch_size_rows || bufferedBytes >= config.batch_size_bytes) await flushAll();
        return;
      }
      case 'STATE':
        pendingState = { value: message.value };
        await echoState();
        return;
      case 'ACTIVATE_VERSION': {
        await flushAll();
        const buffer = streams.get(message.stream)!;
        const swapped = await loader.activate(buffer.plan, message.version);
        log.info(swapped ? 'version activated' : 'ACTIVATE_VERSION with no staged rows: tables left as they are', { stream: message.stream, version: message.version });
        if (buffer.version === message.version && buffer.eofVersion === undefined) buffer.version = undefined;
        return;
      }
    }
  };

  try {
    await loader.init();
    const iterator = readMessageBatches(input, { maxLineBytes: MAX_LINE_BYTES })[Symbol.asyncIterator]();
    let next = iterator.next();
    for (;;) {
      // Wait for input, but no longer than the age limit of what is buffered: an idle tap must not hold state back.
      const waitMs = oldest === 0 ? undefined : Math.max(0, oldest + config.batch_max_age_seconds * 1000 - Date.now());
      let timer: NodeJS.Timeout | undefined;
      const result = waitMs === undefined
        ? await next
        : await Promise.race([next, new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), waitMs)))]);
      if (timer) clearTimeout(timer);
      if (result === 'timeout') {
        await flushAll();
        continue;
      }
      if (result.done) break;
      next = iterator.next();
      for (const read of result.value) await handle(read);
      if (oldest !== 0 && Date.now() - oldest >= config.batch_max_age_seconds * 1000) await flushAll();
    }
    await flushAll();
    for (const buffer of streams.values()) {
      if (buffer.eofVersion !== undefined) {
        const swapped = await loader.activate(buffer.plan, buffer.eofVersion);
        log.info(swapped ? 'replaced at end of input' : 'replace_on_eof: no rows staged, tables left as they are', { stream: buffer.plan.stream });
      }
    }
    await echoState();
    await writer.end();
  } finally {
    stager?.close();
    await warehouse.close().catch(() => undefined);
  }
}
