import type { Writable } from 'node:stream';
import { MessageWriter, StreamChecker, readMessageBatches, serializeJson, type Logger, type ReadMessage, type SchemaMessage } from '@observes/protocol';
import { planStream, type StreamPlan } from '@observes/target-core';
import { BatchLoader, type Batch, type BufferedRecord } from './batch-loader.js';
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
  /** Top-level properties the schema declares; others are not stored, and said so once each. */
  declared: Set<string>;
  warned: Set<string>;
}

/** Options of {@link runTarget}. */
export interface RunTargetOptions {
  /** Validated settings (see `loadConfig`). */
  config: TargetConfig;
  /** Singer messages (stdin, or a generated stream). */
  input: AsyncIterable<Buffer | string>;
  /** Where committed STATE lines go (stdout). */
  output: Writable;
  /** Where progress and errors are logged (stderr). */
  log: Logger;
}

/**
 * Reads a Singer stream and loads it. A STATE line is written to `output` only once every record before it
 * is committed. Batches flush by rows (per stream), bytes (all streams) and age; any flush flushes every
 * stream so the latest state can follow.
 */
export async function runTarget({ config, input, output, log }: RunTargetOptions): Promise<void> {
  const warehouse = await openWarehouse(config);
  const dialect = warehouse.dialect === 'postgres' ? postgresDialect : redshiftDialect;
  // The AWS SDK takes a while to load: only when S3 staging is configured.
  const stager = config.s3?.iam_role && dialect.copyFromS3 ? new (await import('./s3-staging.js')).S3Stager(config.s3) : undefined;
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
  let messages = 0;
  /** Records committed per stream, for the final `records_loaded` entry (the runner's summary shows it). */
  const loaded: Record<string, number> = {};

  const replaceOnEof = (stream: string) => config.replace_on_eof === true || (Array.isArray(config.replace_on_eof) && config.replace_on_eof.includes(stream));

  // Records of a replace_on_eof stream only count once the end-of-input swap is done: a state echoed earlier
  // would let a rerun resume mid-stream and then swap in only the tail. So states wait for the end.
  let holdStates = false;

  // Loading overlaps reading: one flush is in flight while the next batch fills, so memory holds at most two
  // batches. Its state is written only after its loads commit; a failure stops the run at the next check.
  let inflight: Promise<void> = Promise.resolve();
  let failure: unknown;
  const checkFailure = () => {
    if (failure !== undefined) throw failure;
  };

  const takeBatch = (buffer: StreamBuffer): Batch | undefined => {
    const records = buffer.byKey ? [...buffer.byKey.values()] : buffer.list!;
    if (records.length === 0) return undefined;
    if (buffer.byKey) buffer.byKey = new Map();
    else buffer.list = [];
    bufferedBytes -= buffer.bytes;
    bufferedRecords -= records.length;
    buffer.bytes = 0;
    return { plan: buffer.plan, records, version: buffer.version };
  };

  /** Hands every buffered record (and the state they cover) to a new flush, after the one in flight finished. */
  const flushAll = async (): Promise<void> => {
    const batches = [...streams.values()].map(takeBatch).filter((b): b is Batch => b !== undefined);
    const state = holdStates ? undefined : pendingState;
    if (state) pendingState = undefined;
    oldest = 0;
    if (batches.length === 0 && !state) return;
    if (batches.length > 0) await inflight;
    checkFailure();
    inflight = inflight.then(async () => {
      for (const batch of batches) {
        const started = Date.now();
        const records = batch.records.length;
        await loader.load(batch);
        log.info('batch committed', { stream: batch.plan.stream, records, version: batch.version, ms: Date.now() - started });
        loaded[batch.plan.stream] = (loaded[batch.plan.stream] ?? 0) + records;
      }
      if (state) await writer.write({ type: 'STATE', value: state.value });
    });
    inflight.catch((error: unknown) => {
      failure ??= error;
    });
  };

  /** Flushes everything and waits until it is committed. */
  const settle = async (): Promise<void> => {
    await flushAll();
    await inflight;
    checkFailure();
  };

  /** Handles one message; returns a promise only when it has to wait (a flush), so records cost no await. */
  const handle = (read: ReadMessage): Promise<void> | undefined => {
    const message = read.message;
    const current = checker.check(read);
    switch (message.type) {
      case 'SCHEMA': {
        const old = streams.get(message.stream);
        if (old && serializeJson([old.schema.schema, old.schema.key_properties]) === serializeJson([message.schema, message.key_properties])) return undefined;
        const plan = planStream(message.stream, message.schema, message.key_properties, { maxNesting: config.max_nesting, metadataColumns: config.add_metadata_columns, deletedAtColumn: config.hard_delete, maxIdentifierBytes: loader.maxIdentifierBytes });
        // What came under the old schema is flushed with the old plan first.
        const flushed = old && (old.byKey?.size ?? old.list!.length) > 0 ? flushAll() : undefined;
        streams.set(message.stream, {
          schema: message,
          plan,
          ...(message.key_properties.length > 0 ? { byKey: new Map() } : { list: [] }),
          bytes: 0,
          version: old?.version,
          eofVersion: replaceOnEof(message.stream) ? runVersion : undefined,
          declared: new Set(Object.keys(message.schema.properties ?? {})),
          warned: old?.warned ?? new Set(),
        });
        return flushed;
      }
      case 'RECORD': {
        const buffer = streams.get(message.stream)!;
        const version = message.version ?? buffer.eofVersion;
        if (message.version === undefined && buffer.eofVersion !== undefined) holdStates = true;
        if (version !== buffer.version && (buffer.byKey?.size ?? buffer.list!.length) > 0) {
          // Records of another version go to other tables: flush, then buffer this record.
          return flushAll().then(() => handle(read));
        }
        buffer.version = version;
        const record = message.record;
        for (const field in record) {
          if (!buffer.declared.has(field) && !buffer.warned.has(field) && field !== '_sdc_deleted_at') {
            buffer.warned.add(field);
            log.warn('field not in the stream\'s schema: not stored', { stream: message.stream, field, line: read.line });
          }
        }
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
          if (buffer.byKey.delete(key)) bufferedRecords--;
          buffer.byKey.set(key, entry);
        } else {
          buffer.list!.push(entry);
        }
        bufferedRecords++;
        buffer.bytes += read.size;
        bufferedBytes += read.size;
        if (oldest === 0) oldest = Date.now();
        if ((buffer.byKey?.size ?? buffer.list!.length) >= config.batch_size_rows || bufferedBytes >= config.batch_size_bytes) return flushAll();
        return undefined;
      }
      case 'STATE':
        pendingState = { value: message.value };
        // Nothing buffered: the state follows whatever is in flight.
        return bufferedRecords === 0 ? flushAll() : undefined;
      case 'ACTIVATE_VERSION':
        return settle().then(async () => {
          const buffer = streams.get(message.stream)!;
          // No record of this version yet: the tap announces a version it is about to send (the SDK does on a first load).
          const announced = buffer.version !== message.version;
          const swapped = await loader.activate(buffer.plan, message.version);
          if (swapped) log.info('version activated', { stream: message.stream, version: message.version });
          else if (announced) log.debug('version announced before its records', { stream: message.stream, version: message.version });
          else log.info('ACTIVATE_VERSION with no staged rows: tables left as they are', { stream: message.stream, version: message.version });
          if (buffer.version === message.version && buffer.eofVersion === undefined) buffer.version = undefined;
        });
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
      checkFailure();
      if (result === 'timeout') {
        await flushAll();
        continue;
      }
      if (result.done) break;
      next = iterator.next();
      for (const read of result.value) {
        messages++;
        const waiting = handle(read);
        if (waiting) await waiting;
      }
      if (oldest !== 0 && Date.now() - oldest >= config.batch_max_age_seconds * 1000) await flushAll();
    }
    // The last state waits for the end-of-input replacements (holdStates): echoed before them, a crash in
    // between would leave the staged refresh behind a state that says it is done.
    await settle();
    for (const buffer of streams.values()) {
      if (buffer.eofVersion !== undefined) {
        const swapped = await loader.activate(buffer.plan, buffer.eofVersion);
        log.info(swapped ? 'replaced at end of input' : 'replace_on_eof: no rows staged, tables left as they are', { stream: buffer.plan.stream });
      }
    }
    holdStates = false;
    await settle();
    await writer.end();
    if (messages === 0) log.warn('empty input: no Singer message was read (did the tap write its messages to stdout?)');
    log.info('done', { messages, records_loaded: loaded });
  } finally {
    // A batch in flight when the input failed still commits (its state stays valid) before the connection closes.
    await inflight.catch(() => undefined);
    stager?.close();
    await warehouse.close().catch(() => undefined);
  }
}
