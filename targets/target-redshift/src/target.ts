import { randomUUID } from 'node:crypto';
import type { Writable } from 'node:stream';
import { MessageWriter, ProtocolError, StreamChecker, keyDetails, pipelineId, readMessageBatches, serializeJson, type CommitInfo, type JsonRecord, type Logger, type ReadMessage, type SchemaMessage } from '@observes/protocol';
import { MAX_COLUMNS, SchemaEvolution, locateColumn, planStream, toIdentifier, type StreamPlan } from '@observes/target-core';
import { BatchLoader, type Batch, type BufferedRecord } from './batch-loader.js';
import type { Dialect } from './dialects/dialect.js';
import type { TargetConfig } from './config.js';
import { postgresDialect } from './dialects/postgres.js';
import { redshiftDialect } from './dialects/redshift.js';
import { StateTable } from './state-table.js';
import { openWarehouse, type Warehouse } from './warehouse.js';

/** Longest input line accepted (a SUPER value holds 16 MB). */
const MAX_LINE_BYTES = 64 * 1024 * 1024;

interface StreamBuffer {
  schema: SchemaMessage;
  /** The plan of the schema and the fields records added to it (`undeclared_fields: evolve`). */
  plan: StreamPlan;
  evolution: SchemaEvolution;
  /** Keyed streams: by serialized key, the last record wins (Map order moves it to the end). */
  byKey?: Map<string, BufferedRecord>;
  list?: BufferedRecord[];
  bytes: number;
  /** Version the buffered records belong to (undefined: live tables). */
  version?: number;
  /** Version assigned to every record at start for `replace_on_eof` streams. */
  eofVersion?: number;
  /** Undeclared fields already reported (by path, list positions left out). */
  reported: Set<string>;
  /** Key-less live streams: records (and their bytes) that came before the last STATE, which covers them. */
  covered: number;
  coveredBytes: number;
}

/**
 * Where a stream's full refresh stands. `staged`: records of that version were read and not yet swapped in.
 * `pending`: an ACTIVATE_VERSION came before any record of its version: either a tap's start marker (records
 * follow) or the end of a refresh with no record (the source is empty); which one, only what follows says.
 */
interface VersionState {
  staged?: number;
  pending?: number;
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
  /** Identifies the run in key-less rows' `_sdc_row_id`. Default `OBSERVES_RUN_ID`, else a random id. */
  runId?: string;
  /**
   * Asked when the input ended: whether it really ended (`connectRunnerLink` of `@observes/protocol`: under
   * `observes run`, an input that ends because the runner died is not the end). When false nothing more is
   * committed: no last flush, no end-of-input replacement. Default: always true.
   */
  inputComplete?: () => Promise<boolean>;
  /** Environment (`OBSERVES_PIPELINE`, `OBSERVES_STATE_SEQUENCE`, `OBSERVES_RUN_ID`; default `process.env`). */
  env?: NodeJS.ProcessEnv;
}

/** The pipeline's commit record in the target schema (see {@link StateTable}). */
export function stateTableOf(warehouse: Warehouse, dialect: () => Dialect, config: TargetConfig, env: NodeJS.ProcessEnv = process.env): StateTable {
  return new StateTable(warehouse, dialect, config.schema, pipelineId(config.state_id, config.schema, env));
}

/** The input ended because the runner died: nothing more is committed. */
export class OrphanedInputError extends Error {
  constructor() {
    super('the input ended without the runner saying it was complete: nothing more committed, no end-of-input replacement');
    this.name = 'OrphanedInputError';
  }
}

/**
 * Reads a Singer stream and loads it. A STATE line is written to `output` only once every record before it
 * is committed, and it is committed with them: each flush (all streams' batches and the STATE they lead to)
 * is one transaction that also writes the state into the schema's `_sdc_state` table, so a crash between the
 * commit and the echo loses nothing (`--committed-state` reads it back). Batches flush by rows (per stream),
 * bytes (all streams) and age; any flush flushes every stream so the latest state can follow.
 */
export async function runTarget({ config, input, output, log, runId, inputComplete, env = process.env }: RunTargetOptions): Promise<void> {
  const warehouse = await openWarehouse(config);
  const dialect = warehouse.dialect === 'postgres' ? postgresDialect : redshiftDialect;
  // The AWS SDK takes a while to load: only when S3 staging is configured.
  const stager = config.s3?.iam_role && dialect.copyFromS3 ? new (await import('./s3-staging.js')).S3Stager(config.s3) : undefined;
  const run = runId ?? env.OBSERVES_RUN_ID ?? randomUUID();
  // The state table spells its SQL in the loader's dialect, as the loader reads it from the server at init.
  const stateTable = stateTableOf(warehouse, () => loader.dialect, config, env);
  const loader = new BatchLoader(warehouse, dialect, config, log, { stager, runId: run, writeLock: () => stateTable.writeLockStatements() });
  const writer = new MessageWriter(output);
  const checker = new StreamChecker({ validateRecords: config.validate_records, invalidText: config.invalid_text });
  const streams = new Map<string, StreamBuffer>();
  const versions = new Map<string, VersionState>();
  /** Which stream each table belongs to: two streams never share a table. */
  const owners = new Map<string, string>();
  const runVersion = Date.now();
  let pendingState: { value: unknown } | undefined;
  let bufferedBytes = 0;
  let bufferedRecords = 0;
  let oldest = 0;
  let sequence = 0;
  let messages = 0;
  /** Records committed per stream, for the final `records_loaded` entry (the runner's summary shows it). */
  const loaded: Record<string, number> = {};
  /** Invalid text replaced with U+FFFD (`invalid_text: replace`): sequences, and the first lines holding some. */
  let replacedSequences = 0;
  const replacedLines: number[] = [];

  const replaceOnEof = (stream: string) => config.replace_on_eof === true || (Array.isArray(config.replace_on_eof) && config.replace_on_eof.includes(stream));
  const versionOf = (stream: string): VersionState => {
    let state = versions.get(stream);
    if (!state) versions.set(stream, (state = {}));
    return state;
  };
  const planOptions = { maxNesting: config.max_nesting, metadataColumns: config.add_metadata_columns, deletedAtColumn: config.hard_delete };

  // A state covers a full refresh only once it is swapped in: echoed earlier, a rerun would resume mid-refresh
  // and then swap in only the tail. So states wait while any stream has a version staged or pending.
  const holding = () => [...versions.values()].some((v) => v.staged !== undefined || v.pending !== undefined);

  // Loading overlaps reading: one flush is in flight while the next batch fills, so memory holds at most two
  // batches. Its state is written only after its loads commit; a failure stops the run at the next check.
  let inflight: Promise<void> = Promise.resolve();
  let failure: unknown;
  const checkFailure = () => {
    if (failure !== undefined) throw failure;
  };

  const buffered = (buffer: StreamBuffer) => buffer.byKey?.size ?? buffer.list!.length;

  /** Appended rows: key-less records of live tables (a replay would add them again). */
  const appends = (buffer: StreamBuffer) => buffer.list !== undefined && buffer.version === undefined && !config.hard_delete;
  let warnedUncovered = false;

  /**
   * Takes a stream's buffered records for a flush. Appended rows are taken only with a state that covers them
   * (the records before the flush's STATE), so they commit in its transaction and a run resumed from the
   * committed state never sends them again; the rest wait for the next STATE. `all`: every record (the end of
   * input, a new SCHEMA or version), and when the waiting rows outgrow `batch_size_bytes` (a tap sending STATE
   * too rarely, or a full refresh of another stream holding the states): then they commit uncovered, logged once.
   */
  const takeBatch = (buffer: StreamBuffer, withState: boolean, all: boolean): Batch | undefined => {
    let count = buffered(buffer);
    let bytes = buffer.bytes;
    if (appends(buffer) && !all) {
      count = withState ? buffer.covered : 0;
      bytes = withState ? buffer.coveredBytes : 0;
      if (buffer.bytes - bytes >= config.batch_size_bytes) {
        if (!warnedUncovered) log.warn('appended rows commit without a state that covers them: a crash before the next state replays them', { stream: buffer.plan.stream, bytes: buffer.bytes - bytes, hint: 'the tap sends STATE too rarely, or another stream\'s full refresh holds the states' });
        warnedUncovered = true;
        count = buffered(buffer);
        bytes = buffer.bytes;
      }
    }
    if (count === 0) return undefined;
    let records: BufferedRecord[];
    if (buffer.byKey) {
      records = [...buffer.byKey.values()];
      buffer.byKey = new Map();
    } else {
      records = buffer.list!.splice(0, count);
    }
    buffer.covered = Math.max(0, buffer.covered - count);
    buffer.coveredBytes = Math.max(0, buffer.coveredBytes - bytes);
    bufferedBytes -= bytes;
    bufferedRecords -= records.length;
    buffer.bytes -= bytes;
    return { plan: buffer.plan, records, version: buffer.version };
  };

  /** Hands the buffered records (and the state they lead to) to a new flush, after the one in flight finished; `all`: every record (see {@link takeBatch}). */
  const flushAll = async (all = false): Promise<void> => {
    const state = holding() ? undefined : pendingState;
    const batches = [...streams.values()].map((buffer) => takeBatch(buffer, state !== undefined, all)).filter((b): b is Batch => b !== undefined);
    if (state) pendingState = undefined;
    oldest = bufferedRecords > 0 ? Date.now() : 0;
    if (batches.length === 0 && !state) return;
    if (batches.length > 0) await inflight;
    checkFailure();
    inflight = inflight.then(async () => {
      const started = Date.now();
      const counts = batches.map((batch) => batch.records.length);
      let commit: CommitInfo | undefined;
      await loader.loadAll(batches, state ? async () => void (commit = await stateTable.write(state.value, env.OBSERVES_RUN_ID ?? run, env)) : undefined);
      for (const [i, batch] of batches.entries()) {
        log.info('batch committed', { stream: batch.plan.stream, records: counts[i], version: batch.version, ms: Date.now() - started, ...(commit ? { sequence: commit.sequence } : {}) });
        loaded[batch.plan.stream] = (loaded[batch.plan.stream] ?? 0) + counts[i];
      }
      if (state) await writer.writeRaw(serializeJson({ type: 'STATE', value: state.value, commit }) + '\n');
    });
    inflight.catch((error: unknown) => {
      failure ??= error;
    });
  };

  /** Flushes (with `all`, everything) and waits until it is committed. */
  const settle = async (all = false): Promise<void> => {
    await flushAll(all);
    await inflight;
    checkFailure();
  };

  /** Swaps a version in (everything before it is committed first), then lets a held state follow. */
  const activate = async (stream: string, version: number, how: string): Promise<void> => {
    await settle();
    const buffer = streams.get(stream)!;
    if (buffer.version === version && buffer.eofVersion === undefined) buffer.version = undefined;
    await loader.activate(buffer.plan, version);
    const state = versionOf(stream);
    if (state.staged === version) state.staged = undefined;
    if (state.pending === version) state.pending = undefined;
    log.info(how, { stream, version });
    await flushAll();
  };

  /** Checks a plan against Redshift's limits and other streams' tables before anything reaches the database. */
  const checkPlan = (plan: StreamPlan, line: number) => {
    for (const table of plan.tables) {
      if (table.columns.length > MAX_COLUMNS) {
        throw new ProtocolError(line, plan.stream, 'invalid-schema', `table "${table.name}" would have ${table.columns.length} columns; Redshift allows at most ${MAX_COLUMNS} per table (keep wide nested objects whole with max_nesting)`);
      }
      const owner = owners.get(table.name);
      if (owner !== undefined && owner !== plan.stream) throw new ProtocolError(line, plan.stream, 'invalid-schema', `its table "${table.name}" is also a table of stream ${JSON.stringify(owner)}`);
    }
    for (const table of plan.tables) owners.set(table.name, plan.stream);
  };

  /** Fields a record has and its schema does not: evolve the plan, drop them, or fail, per `undeclared_fields`. */
  const undeclared = (buffer: StreamBuffer, read: ReadMessage, record: JsonRecord) => {
    const pointers = buffer.evolution.undeclared(record);
    if (pointers.length === 0) return;
    const stream = buffer.plan.stream;
    if (config.undeclared_fields === 'fail') {
      throw new ProtocolError(read.line, stream, 'record-invalid', `record at ${pointers[0]}: the field is not in the stream's schema (undeclared_fields is "fail")`, pointers[0], keyDetails({ keyProperties: buffer.schema.key_properties }, record));
    }
    const fresh = pointers.map((p) => p.replace(/\/\d+(?=\/|$)/g, '/*')).filter((p) => !buffer.reported.has(p));
    for (const field of fresh) buffer.reported.add(field);
    if (config.undeclared_fields === 'drop') {
      for (const field of fresh) log.warn("field not in the stream's schema: not stored (undeclared_fields is \"drop\")", { stream, field, line: read.line });
      return;
    }
    buffer.evolution.declare(record, pointers);
    const plan = planStream(stream, buffer.evolution.schema, buffer.schema.key_properties, { ...planOptions, maxIdentifierBytes: loader.maxIdentifierBytes });
    checkPlan(plan, read.line);
    buffer.plan = plan;
    log.info("fields not in the stream's schema: stored in new columns, types inferred from their values", { stream, fields: fresh, line: read.line });
  };

  /** Checks a message; errors about a value of a record also name its column. */
  const check = (read: ReadMessage) => {
    try {
      return checker.check(read);
    } catch (error) {
      const plan = error instanceof ProtocolError && error.pointer !== undefined && error.stream !== undefined ? streams.get(error.stream)?.plan : undefined;
      const at = plan && locateColumn(plan, (error as ProtocolError).pointer!);
      if (!at) throw error;
      throw (error as ProtocolError).withDetails(`table ${JSON.stringify(at.table)}`, `column ${JSON.stringify(at.column)}`);
    }
  };

  /** Handles one message; returns a promise only when it has to wait (a flush), so records cost no await. */
  const handle = (read: ReadMessage): Promise<void> | undefined => {
    const message = read.message;
    const current = check(read);
    switch (message.type) {
      case 'SCHEMA': {
        const old = streams.get(message.stream);
        if (old && serializeJson([old.schema.schema, old.schema.key_properties]) === serializeJson([message.schema, message.key_properties])) return undefined;
        const properties = message.schema.properties;
        if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) {
          throw new ProtocolError(read.line, message.stream, 'invalid-schema', 'the schema declares no "properties", and the target makes its columns from them (declare them; with {"properties": {}} the fields records bring are added as they come)');
        }
        if (toIdentifier(message.stream).startsWith('_sdc_')) throw new ProtocolError(read.line, message.stream, 'invalid-schema', 'table names starting with "_sdc_" are reserved for the target\'s own tables');
        if (old && serializeJson(old.schema.key_properties) !== serializeJson(message.key_properties)) {
          log.warn('key properties changed: replaced rows lose the child rows written under the old key too', { stream: message.stream, from: old.schema.key_properties, to: message.key_properties, line: read.line });
        }
        const plan = planStream(message.stream, message.schema, message.key_properties, { ...planOptions, maxIdentifierBytes: loader.maxIdentifierBytes });
        checkPlan(plan, read.line);
        // What came under the old schema is flushed with the old plan first.
        const flushed = old && buffered(old) > 0 ? flushAll(true) : undefined;
        const metadataFields = config.hard_delete || config.add_metadata_columns ? ['_sdc_deleted_at'] : [];
        streams.set(message.stream, {
          schema: message,
          plan,
          evolution: new SchemaEvolution(message.schema, { maxNesting: config.max_nesting, alsoDeclared: metadataFields }),
          ...(message.key_properties.length > 0 ? { byKey: new Map() } : { list: [] }),
          bytes: 0,
          version: old?.version,
          eofVersion: replaceOnEof(message.stream) ? runVersion : undefined,
          reported: old?.reported ?? new Set(),
          covered: 0,
          coveredBytes: 0,
        });
        return flushed;
      }
      case 'RECORD': {
        const buffer = streams.get(message.stream)!;
        const version = message.version ?? buffer.eofVersion;
        if (version !== undefined) {
          const state = versionOf(message.stream);
          if (state.pending !== undefined && state.pending !== version) {
            // The pending ACTIVATE_VERSION closed a refresh without records, and this record starts the next one.
            return activate(message.stream, state.pending, 'version without records activated: tables emptied').then(() => handle(read));
          }
          state.pending = undefined;
          if (state.staged !== undefined && state.staged !== version) {
            log.warn('a new version started before the last one was activated: the last one is dropped', { stream: message.stream, version: state.staged, next: version, line: read.line });
          }
          state.staged = version;
        }
        if (version !== buffer.version && buffered(buffer) > 0) {
          // Records of another version go to other tables: flush, then buffer this record.
          return flushAll(true).then(() => handle(read));
        }
        buffer.version = version;
        const record = message.record;
        undeclared(buffer, read, record);
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
        if (buffered(buffer) >= config.batch_size_rows || bufferedBytes >= config.batch_size_bytes) return flushAll();
        return undefined;
      }
      case 'STATE':
        pendingState = { value: message.value };
        for (const buffer of streams.values()) {
          if (!buffer.list) continue;
          buffer.covered = buffer.list.length;
          buffer.coveredBytes = buffer.bytes;
        }
        // Nothing buffered: the state follows whatever is in flight.
        return bufferedRecords === 0 ? flushAll() : undefined;
      case 'ACTIVATE_VERSION': {
        const state = versionOf(message.stream);
        if (state.staged === message.version || state.pending === message.version) {
          return activate(message.stream, message.version, state.staged === message.version ? 'version activated' : 'version without records activated: tables emptied');
        }
        // Either a start marker (its records follow) or the end of an empty refresh: what follows tells.
        state.pending = message.version;
        log.debug('ACTIVATE_VERSION before any record of its version: swapped in after its records, or emptied if none follow', { stream: message.stream, version: message.version });
        return undefined;
      }
    }
  };

  /** At end of input: versions still pending are empty refreshes; staged ones without ACTIVATE_VERSION are swapped or fail. */
  const finishVersions = async () => {
    const missing: string[] = [];
    for (const [stream, state] of versions) {
      const buffer = streams.get(stream)!;
      if (state.pending !== undefined) await activate(stream, state.pending, 'version without records activated at end of input: tables emptied');
      if (state.staged === undefined) continue;
      if (state.staged === buffer.eofVersion) await activate(stream, state.staged, 'replaced at end of input');
      else if (config.missing_activate_version === 'activate') await activate(stream, state.staged, 'ACTIVATE_VERSION missing: version activated at end of input (missing_activate_version is "activate")');
      else missing.push(`stream ${JSON.stringify(stream)}: records of version ${state.staged} were loaded into staging tables, but its ACTIVATE_VERSION never came`);
    }
    if (missing.length > 0) {
      throw new Error(`${missing.join('; ')}: the tables are left as they were and no state is confirmed (send ACTIVATE_VERSION after the records, or set missing_activate_version to "activate")`);
    }
  };

  try {
    await loader.init();
    const iterator = readMessageBatches(input, {
      maxLineBytes: MAX_LINE_BYTES,
      invalidText: config.invalid_text,
      onReplaced: (line, count) => {
        replacedSequences += count;
        if (replacedLines.length < 20) replacedLines.push(line);
      },
    })[Symbol.asyncIterator]();
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
    // An input that ended because the runner died is not the end: no last flush, no end-of-input replacement.
    if (!(await (inputComplete?.() ?? true))) throw new OrphanedInputError();
    await settle(true);
    await finishVersions();
    await settle(true);
    const sequences = replacedSequences + checker.replacedText;
    if (sequences > 0) log.warn('text no warehouse stores was replaced with U+FFFD (invalid_text is "replace")', { replaced: sequences, undecodable_lines: replacedLines, in_values: checker.replacedText });
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
