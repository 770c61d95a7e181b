import {
  InputError,
  ProtocolError,
  keyDetails,
  serializeJson,
  type CommitInfo,
  type JsonRecord,
  type Logger,
  type ReadMessage,
  type SchemaMessage,
  type StreamSchema,
} from '@observes/protocol';
import {
  SchemaEvolution,
  locateColumn,
  planStream,
  toIdentifier,
  type EncodedRead,
  type EncodingSource,
  type PendingState,
  type RunnerControl,
  type StreamPlan,
  type TargetSink,
} from '@observes/target-core';
import type { BatchLoader, Batch, BufferedRecord } from './batch-loader.js';
import type { TargetConfig } from './config.js';
import type { FastRecord, FastRowsState } from './fast-rows.js';
import type { StateTable } from './state-table.js';

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
  /** Fields the evolution treats as declared besides the schema's (`_sdc_deleted_at`). */
  alsoDeclared: string[];
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

/**
 * With worker threads, a stream whose tables do not exist yet flushes after this many records: its first batch
 * creates them, and from then on the workers encode its records against them (see `FastRowEncoder`).
 */
const FIRST_BATCH_RECORDS = 1000;

/** What {@link WarehouseSink} needs. */
export interface WarehouseSinkOptions {
  config: TargetConfig;
  loader: BatchLoader;
  stateTable: StateTable;
  log: Logger;
  /** Run id the state rows are filed under. */
  runId: string;
  /** Environment (`OBSERVES_RUN_ID`, `OBSERVES_STATE_SEQUENCE`). */
  env: NodeJS.ProcessEnv;
  /** Records come from worker threads (`workers`): see {@link WarehouseSink.encodingSource}. */
  encoding?: boolean;
}

/**
 * target-redshift's sink for the target runtime: buffers records per stream (by key, the last one winning;
 * key-less in order), checks plans against the warehouse's limits and the other streams' tables, follows
 * full refreshes (ACTIVATE_VERSION, `replace_on_eof`, `missing_activate_version`) and evolves schemas per
 * `undeclared_fields`. A flush is one transaction of every stream's batch and the `_sdc_state` row.
 */
export class WarehouseSink implements TargetSink<Batch[]> {
  private readonly config: TargetConfig;
  private readonly loader: BatchLoader;
  private readonly log: Logger;
  private readonly streams = new Map<string, StreamBuffer>();
  private readonly versions = new Map<string, VersionState>();
  /** Which stream each table belongs to: two streams never share a table. */
  private readonly owners = new Map<string, string>();
  private readonly runVersion = Date.now();
  private readonly planOptions;
  private bufferedBytes = 0;
  private bufferedRecords = 0;
  private sequence = 0;
  private warnedUncovered = false;
  /** Bumped when a stream's plan changes, and when the tables' columns may have (see {@link WarehouseSink.encodingSource}). */
  private planRevision = 0;
  private stateRevision = 0;
  /** Records worker threads encoded (the rest took the main thread's path). */
  encodedByWorkers = 0;
  /** Records committed per stream, for the final `records_loaded` entry (the runner's summary shows it). */
  readonly loaded: Record<string, number> = {};

  constructor(private readonly options: WarehouseSinkOptions) {
    this.config = options.config;
    this.loader = options.loader;
    this.log = options.log;
    this.planOptions = { maxNesting: this.config.max_nesting, metadataColumns: this.config.add_metadata_columns, deletedAtColumn: this.config.hard_delete };
  }

  open(): Promise<void> {
    return this.loader.init();
  }

  async close(): Promise<void> {
    // runTarget opened the connection and closes it, whatever the run did.
  }

  buffered(): number {
    return this.bufferedRecords;
  }

  /**
   * What the worker threads encode records with: each stream's SCHEMA and plan, and the columns its tables have
   * (see `BatchLoader.encodingColumns`). A new plan (a SCHEMA, evolved fields) makes what they encoded since
   * worthless; new columns do not (they only widen).
   */
  encodingSource(): EncodingSource {
    return {
      planRevision: () => this.planRevision,
      stateRevision: () => this.stateRevision,
      state: (): FastRowsState => {
        const state: FastRowsState = { schemas: {}, streams: {}, validateRecords: this.config.validate_records, invalidText: this.config.invalid_text };
        for (const [stream, buffer] of this.streams) {
          state.schemas[stream] = { schema: buffer.schema };
          const version = buffer.version ?? buffer.eofVersion ?? this.versions.get(stream)?.staged;
          state.streams[stream] = {
            plan: buffer.plan,
            evolved: buffer.evolution.schema,
            maxNesting: this.config.max_nesting,
            alsoDeclared: buffer.alsoDeclared,
            eofVersion: buffer.eofVersion,
            ...this.loader.encodingColumns(buffer.plan, version),
          };
        }
        return state;
      },
    };
  }

  private replaceOnEof(stream: string): boolean {
    const r = this.config.replace_on_eof;
    return r === true || (Array.isArray(r) && r.includes(stream));
  }

  private versionOf(stream: string): VersionState {
    let state = this.versions.get(stream);
    if (!state) this.versions.set(stream, (state = {}));
    return state;
  }

  /**
   * A state covers a full refresh only once it is swapped in: echoed earlier, a rerun would resume mid-refresh
   * and then swap in only the tail. So states wait while any stream has a version staged or pending.
   */
  holdsState(): boolean {
    return [...this.versions.values()].some((v) => v.staged !== undefined || v.pending !== undefined);
  }

  /** Key-less records buffered now are covered by the state just read. */
  stateRead(): void {
    for (const buffer of this.streams.values()) {
      if (!buffer.list) continue;
      buffer.covered = buffer.list.length;
      buffer.coveredBytes = buffer.bytes;
    }
  }

  private count(buffer: StreamBuffer): number {
    return buffer.byKey?.size ?? buffer.list!.length;
  }

  /** Appended rows: key-less records of live tables (a replay would add them again). */
  private appends(buffer: StreamBuffer): boolean {
    return buffer.list !== undefined && buffer.version === undefined && !this.config.hard_delete;
  }

  /** Every stream's batch for a flush (see {@link WarehouseSink.takeBatch}). */
  take(withState: boolean, all: boolean): Batch[] | undefined {
    const batches = [...this.streams.values()].map((buffer) => this.takeBatch(buffer, withState, all)).filter((b): b is Batch => b !== undefined);
    return batches.length > 0 ? batches : undefined;
  }

  /**
   * Takes a stream's buffered records for a flush. Appended rows are taken only with a state that covers them
   * (the records before the flush's STATE), so they commit in its transaction and a run resumed from the
   * committed state never sends them again; the rest wait for the next STATE. `all`: every record (the end of
   * input, a new SCHEMA or version), and when the waiting rows outgrow `batch_size_bytes` (a tap sending STATE
   * too rarely, or a full refresh of another stream holding the states): then they commit uncovered, logged once.
   */
  private takeBatch(buffer: StreamBuffer, withState: boolean, all: boolean): Batch | undefined {
    let count = this.count(buffer);
    let bytes = buffer.bytes;
    if (this.appends(buffer) && !all) {
      count = withState ? buffer.covered : 0;
      bytes = withState ? buffer.coveredBytes : 0;
      if (buffer.bytes - bytes >= this.config.batch_size_bytes) {
        if (!this.warnedUncovered)
          this.log.warn('appended rows commit without a state that covers them: a crash before the next state replays them', {
            stream: buffer.plan.stream,
            bytes: buffer.bytes - bytes,
            hint: "the tap sends STATE too rarely, or another stream's full refresh holds the states",
          });
        this.warnedUncovered = true;
        count = this.count(buffer);
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
    this.bufferedBytes -= bytes;
    this.bufferedRecords -= records.length;
    buffer.bytes -= bytes;
    return { plan: buffer.plan, records, version: buffer.version };
  }

  /** Loads the batches and writes the state row in ONE transaction. */
  async commit(batches: Batch[] | undefined, state: PendingState | undefined): Promise<CommitInfo | undefined> {
    if (!batches && !state) return undefined;
    const started = Date.now();
    const list = batches ?? [];
    const counts = list.map((batch) => batch.records.length);
    let commit: CommitInfo | undefined;
    const { env, runId, stateTable } = this.options;
    try {
      await this.loader.loadAll(list, state ? async () => void (commit = await stateTable.write(state.value, env.OBSERVES_RUN_ID ?? runId, env)) : undefined);
    } finally {
      // Tables may have been created or widened: the workers encode against them from now on.
      this.stateRevision++;
    }
    for (const [i, batch] of list.entries()) {
      this.log.info('batch committed', {
        stream: batch.plan.stream,
        records: counts[i],
        version: batch.version,
        ms: Date.now() - started,
        ...(commit ? { sequence: commit.sequence } : {}),
      });
      this.loaded[batch.plan.stream] = (this.loaded[batch.plan.stream] ?? 0) + counts[i];
    }
    return commit;
  }

  /** Swaps a version in (everything before it is committed first), then lets a held state follow. */
  private async activate(control: RunnerControl, stream: string, version: number, how: string): Promise<void> {
    await control.settle();
    const buffer = this.streams.get(stream)!;
    if (buffer.version === version && buffer.eofVersion === undefined) buffer.version = undefined;
    await this.loader.activate(buffer.plan, version);
    this.stateRevision++;
    const state = this.versionOf(stream);
    if (state.staged === version) state.staged = undefined;
    if (state.pending === version) state.pending = undefined;
    this.log.info(how, { stream, version });
    await control.flush();
  }

  /**
   * Checks a plan against the dialect's column limit and other streams' tables before anything reaches the
   * database. The message names Redshift, whose limit every dialect keeps, so what loads into one loads into it.
   */
  private checkPlan(plan: StreamPlan, line: number): void {
    const maxColumns = this.loader.limits.columns;
    for (const table of plan.tables) {
      if (table.columns.length > maxColumns) {
        throw new ProtocolError(
          line,
          plan.stream,
          'invalid-schema',
          `table "${table.name}" would have ${table.columns.length} columns; Redshift allows at most ${maxColumns} per table (keep wide nested objects whole with max_nesting)`,
        );
      }
      const owner = this.owners.get(table.name);
      if (owner !== undefined && owner !== plan.stream)
        throw new ProtocolError(line, plan.stream, 'invalid-schema', `its table "${table.name}" is also a table of stream ${JSON.stringify(owner)}`);
    }
    for (const table of plan.tables) this.owners.set(table.name, plan.stream);
  }

  /** Fields a record has and its schema does not: evolve the plan, drop them, or fail, per `undeclared_fields`. */
  private undeclared(buffer: StreamBuffer, read: ReadMessage, record: JsonRecord): void {
    const pointers = buffer.evolution.undeclared(record);
    if (pointers.length === 0) return;
    const stream = buffer.plan.stream;
    if (this.config.undeclared_fields === 'fail') {
      throw new ProtocolError(
        read.line,
        stream,
        'record-invalid',
        `record at ${pointers[0]}: the field is not in the stream's schema (undeclared_fields is "fail")`,
        pointers[0],
        keyDetails({ keyProperties: buffer.schema.key_properties }, record),
      );
    }
    const fresh = pointers.map((p) => p.replace(/\/\d+(?=\/|$)/g, '/*')).filter((p) => !buffer.reported.has(p));
    for (const field of fresh) buffer.reported.add(field);
    if (this.config.undeclared_fields === 'drop') {
      for (const field of fresh)
        this.log.warn('field not in the stream\'s schema: not stored (undeclared_fields is "drop")', { stream, field, line: read.line });
      return;
    }
    buffer.evolution.declare(record, pointers);
    const plan = planStream(stream, buffer.evolution.schema, buffer.schema.key_properties, { ...this.planOptions, limits: this.loader.limits });
    this.checkPlan(plan, read.line);
    buffer.plan = plan;
    this.planRevision++;
    this.log.info("fields not in the stream's schema: stored in new columns, types inferred from their values", { stream, fields: fresh, line: read.line });
  }

  /** Errors about a value of a record also name its column. */
  explain(error: unknown): unknown {
    const plan = error instanceof ProtocolError && error.pointer !== undefined && error.stream !== undefined ? this.streams.get(error.stream)?.plan : undefined;
    const at = plan && locateColumn(plan, (error as ProtocolError).pointer!);
    if (!at) return error;
    return (error as ProtocolError).withDetails(`table ${JSON.stringify(at.table)}`, `column ${JSON.stringify(at.column)}`);
  }

  /** Handles one message; returns a promise only when it has to wait (a flush), so records cost no await. */
  handle(read: ReadMessage, current: StreamSchema | undefined, control: RunnerControl): Promise<void> | undefined {
    const message = read.message;
    const config = this.config;
    switch (message.type) {
      case 'SCHEMA': {
        const old = this.streams.get(message.stream);
        if (old && serializeJson([old.schema.schema, old.schema.key_properties]) === serializeJson([message.schema, message.key_properties])) return undefined;
        const properties = message.schema.properties;
        if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) {
          throw new ProtocolError(
            read.line,
            message.stream,
            'invalid-schema',
            'the schema declares no "properties", and the target makes its columns from them (declare them; with {"properties": {}} the fields records bring are added as they come)',
          );
        }
        if (toIdentifier(message.stream).startsWith('_sdc_'))
          throw new ProtocolError(read.line, message.stream, 'invalid-schema', 'table names starting with "_sdc_" are reserved for the target\'s own tables');
        if (old && serializeJson(old.schema.key_properties) !== serializeJson(message.key_properties)) {
          this.log.warn('key properties changed: replaced rows lose the child rows written under the old key too', {
            stream: message.stream,
            from: old.schema.key_properties,
            to: message.key_properties,
            line: read.line,
          });
        }
        const plan = planStream(message.stream, message.schema, message.key_properties, { ...this.planOptions, limits: this.loader.limits });
        this.checkPlan(plan, read.line);
        // What came under the old schema is flushed with the old plan first.
        const flushed = old && this.count(old) > 0 ? control.flush(true) : undefined;
        const metadataFields = config.hard_delete || config.add_metadata_columns ? ['_sdc_deleted_at'] : [];
        this.streams.set(message.stream, {
          schema: message,
          plan,
          evolution: new SchemaEvolution(message.schema, { maxNesting: config.max_nesting, alsoDeclared: metadataFields }),
          ...(message.key_properties.length > 0 ? { byKey: new Map() } : { list: [] }),
          bytes: 0,
          version: old?.version,
          eofVersion: this.replaceOnEof(message.stream) ? this.runVersion : undefined,
          reported: old?.reported ?? new Set(),
          covered: 0,
          coveredBytes: 0,
          alsoDeclared: metadataFields,
        });
        this.planRevision++;
        return flushed;
      }
      case 'RECORD': {
        const buffer = this.streams.get(message.stream)!;
        const version = message.version ?? buffer.eofVersion;
        if (version !== undefined) {
          const state = this.versionOf(message.stream);
          if (state.pending !== undefined && state.pending !== version) {
            // The pending ACTIVATE_VERSION closed a refresh without records, and this record starts the next one.
            return this.activate(control, message.stream, state.pending, 'version without records activated: tables emptied').then(() =>
              this.handle(read, current, control),
            );
          }
          state.pending = undefined;
          if (state.staged !== undefined && state.staged !== version) {
            this.log.warn('a new version started before the last one was activated: the last one is dropped', {
              stream: message.stream,
              version: state.staged,
              next: version,
              line: read.line,
            });
          }
          state.staged = version;
        }
        if (version !== buffer.version && this.count(buffer) > 0) {
          // Records of another version go to other tables: flush, then buffer this record.
          return control.flush(true).then(() => this.handle(read, current, control));
        }
        buffer.version = version;
        const record = message.record;
        const fast = (read as EncodedRead<FastRecord>).encoded;
        // A worker encoded it only if it had no undeclared field, with the plan the stream has now.
        if (!fast) this.undeclared(buffer, read, record);
        const entry: BufferedRecord = fast ? { record, line: read.line, fast, fastPlan: buffer.plan } : { record, line: read.line };
        if (fast) this.encodedByWorkers++;
        if (config.add_metadata_columns) {
          const now = new Date().toISOString();
          entry.metadata = {
            _sdc_extracted_at: message.time_extracted ?? null,
            _sdc_received_at: now,
            _sdc_batched_at: now,
            _sdc_deleted_at: record._sdc_deleted_at ?? null,
            _sdc_sequence: ++this.sequence,
            _sdc_table_version: version ?? null,
          };
        }
        if (buffer.byKey) {
          const key = fast?.key ?? serializeJson(current!.keyProperties.map((k) => record[k]));
          if (buffer.byKey.delete(key)) this.bufferedRecords--;
          buffer.byKey.set(key, entry);
        } else {
          buffer.list!.push(entry);
        }
        this.bufferedRecords++;
        buffer.bytes += read.size;
        this.bufferedBytes += read.size;
        if (this.count(buffer) >= config.batch_size_rows || this.bufferedBytes >= config.batch_size_bytes) return control.flush();
        if (this.options.encoding && this.count(buffer) === FIRST_BATCH_RECORDS && !fast && !this.loader.knowsTables(buffer.plan, buffer.version))
          return control.flush();
        return undefined;
      }
      case 'ACTIVATE_VERSION': {
        const state = this.versionOf(message.stream);
        if (state.staged === message.version || state.pending === message.version) {
          return this.activate(
            control,
            message.stream,
            message.version,
            state.staged === message.version ? 'version activated' : 'version without records activated: tables emptied',
          );
        }
        // Either a start marker (its records follow) or the end of an empty refresh: what follows tells.
        state.pending = message.version;
        this.log.debug('ACTIVATE_VERSION before any record of its version: swapped in after its records, or emptied if none follow', {
          stream: message.stream,
          version: message.version,
        });
        return undefined;
      }
    }
    return undefined;
  }

  /** At end of input: versions still pending are empty refreshes; staged ones without ACTIVATE_VERSION are swapped or fail. */
  async endOfInput(control: RunnerControl): Promise<void> {
    const missing: string[] = [];
    for (const [stream, state] of this.versions) {
      const buffer = this.streams.get(stream)!;
      if (state.pending !== undefined) await this.activate(control, stream, state.pending, 'version without records activated at end of input: tables emptied');
      if (state.staged === undefined) continue;
      if (state.staged === buffer.eofVersion) await this.activate(control, stream, state.staged, 'replaced at end of input');
      else if (this.config.missing_activate_version === 'activate')
        await this.activate(
          control,
          stream,
          state.staged,
          'ACTIVATE_VERSION missing: version activated at end of input (missing_activate_version is "activate")',
        );
      else
        missing.push(
          `stream ${JSON.stringify(stream)}: records of version ${state.staged} were loaded into staging tables, but its ACTIVATE_VERSION never came`,
        );
    }
    if (missing.length > 0) {
      throw new InputError(
        `${missing.join('; ')}: the tables are left as they were and no state is confirmed (send ACTIVATE_VERSION after the records, or set missing_activate_version to "activate")`,
      );
    }
  }
}
