import type { JsonRecord, Logger } from '@observes/protocol';
import {
  ColumnLimitError,
  LayoutError,
  RecordFlattener,
  RowIds,
  describeType,
  layoutTable,
  mergeTypes,
  sameType,
  shortenIdentifier,
  type ColumnChange,
  type ColumnType,
  type Row,
  type StreamPlan,
  type TableLayout,
  type WarehouseLimits,
} from '@observes/target-core';
import { applyLayouts, prepareLayouts, type LayoutToApply } from './apply-layouts.js';
import { ColumnCatalog } from './column-catalog.js';
import { LoadError, loadFailure, messageOf } from './load-error.js';
import type { TargetConfig } from './config.js';
import { csvChunks } from './csv-rows.js';
import type { Dialect, DialectDefinition, TypedColumn } from './dialects/dialect.js';
import type { FastRecord, TableColumns } from './fast-rows.js';
import type { S3Stager } from './s3-staging.js';
import { tableKeysOf } from './table-keys.js';
import type { Warehouse } from './warehouse.js';
import { WriteSession } from './write-transaction.js';

/** Session temp table the failing rows of a batch are replayed into to find the bad one (see `locateBadRow`). */
const PROBE_TABLE = '_sdc_probe';

/** One buffered record. */
export interface BufferedRecord {
  /** The record as read (ExactNumbers included). */
  record: JsonRecord;
  /** Input line, for error messages; with the run id, it also makes a key-less record's `_sdc_row_id`. */
  line: number;
  /** Metadata column values, when the plan has them. */
  metadata?: Record<string, unknown>;
  /** Its rows as CSV, encoded by a worker thread (see `FastRowEncoder`): `record` is then empty. */
  fast?: FastRecord;
  /** The plan `fast` was encoded with (a stream's plan grows with `undeclared_fields: evolve`). */
  fastPlan?: StreamPlan;
}

/** Rows of one table a worker already wrote as CSV, for the plan they were encoded with. */
export interface FastRows {
  /** The plan the rows were encoded with. */
  plan: StreamPlan;
  /** The columns of the CSV rows (the encoding plan's), all in the layout's. */
  columns: string[];
  /** CSV text per record. */
  fragments: string[];
  /** Index (in `PreparedBatch.records`) of each fragment's record. */
  records: number[];
  rows: number;
}

/** A batch of one stream, ready to load. */
export interface Batch {
  /** The stream's plan when its records were read (a later SCHEMA does not change it). */
  plan: StreamPlan;
  /** Records in input order, deduplicated by key for keyed streams (the last one kept). `prepare` empties it once flattened. */
  records: BufferedRecord[];
  /** Full-table version the records belong to: they go to that version's staging tables. */
  version?: number;
}

/** Name of the staging table holding version `version` of `table` until its ACTIVATE_VERSION. */
export function versionTable(table: string, version: number, maxBytes: number): string {
  return shortenIdentifier(`_sdc_v${version}_${table}`, maxBytes);
}

const STAGING_TABLE = /^_sdc_v(\d+)_(.+)$/;

/** A batch flattened and fitted to its tables, its out-of-transaction DDL done: what {@link BatchLoader.write} applies. */
export interface PreparedBatch {
  plan: StreamPlan;
  version?: number;
  /** One per plan table, in plan order (staging tables for a version). */
  layouts: LayoutToApply[];
  /** Per table, the index (in `records`) of the record each row came from. */
  rowRecords: number[][];
  /** Line and key of each record, for errors (a worker-encoded record's key as its JSON text). */
  records: Array<{ line: number; key?: unknown[]; keyText?: string }>;
  /** Per table, the rows workers encoded (usually one group; one per plan they were encoded with). */
  fast: FastRows[][];
  firstLine: number;
  /** S3 keys staged for COPY, removed once committed. */
  staged: string[];
}

/** Options of {@link BatchLoader}. */
export interface BatchLoaderOptions {
  /** S3 staging for the redshift dialect's COPY. */
  stager?: S3Stager;
  /** Identifies the run in key-less streams' `_sdc_row_id` (see `RowIds`). */
  runId: string;
  /** The statements every write transaction runs first (the writer lock of the schema's `_sdc_state`, see `StateTable`). */
  writeLock?: () => string[];
}

/**
 * Applies batches to the warehouse. Each batch is one transaction: its rows go to session temp tables,
 * then (merge) the matching root rows and all their child rows are deleted and the new rows inserted.
 * Only varchar widenings run before the transaction (Redshift refuses them inside one; they change no data).
 *
 * A load is three steps, so a caller can put several batches (and more) in one transaction:
 * {@link BatchLoader.prepare} (flatten, fit, out-of-transaction DDL), then inside `BEGIN`/`COMMIT`
 * {@link BatchLoader.write}, then {@link BatchLoader.committed}; on failure, {@link BatchLoader.failed}.
 * {@link BatchLoader.load} does all of it for one batch.
 */
export { LoadError, type FailurePlace } from './load-error.js';

export class BatchLoader {
  private readonly catalog: ColumnCatalog;
  /** The write transaction and the merge, shared with the S3-file loader. */
  readonly writes: WriteSession;
  /** Longest identifier the warehouse keeps: the dialect's, or less when the server says so (the redshift dialect on PostgreSQL: 63). */
  maxIdentifierBytes: number;
  /** What the warehouse allows (the dialect's capabilities, with the server's identifier limit): what plans and layouts fit within. */
  limits: WarehouseLimits;
  /** The dialect, spelled for the server's settings once {@link BatchLoader.init} has read them. */
  dialect: Dialect;
  private readonly rowIds: RowIds;
  private readonly stager?: S3Stager;
  /** Versions this loader staged rows of: staging tables of another version, or of one of these left by an earlier process, are dropped first. */
  private readonly versionsStaged = new Set<number>();
  /** What {@link BatchLoader.write} is doing (table, and the layout whose rows are being copied), so a failure can name the table and find the bad row. */
  private current: { prepared: PreparedBatch; table: string; copying?: number; fast?: FastRows } | undefined;

  constructor(
    private readonly warehouse: Warehouse,
    private readonly definition: DialectDefinition,
    private readonly config: TargetConfig,
    private readonly log: Logger,
    options: BatchLoaderOptions,
  ) {
    this.dialect = definition.defaultSql;
    this.maxIdentifierBytes = definition.capabilities.identifierBytes;
    this.limits = { ...definition.capabilities };
    this.rowIds = new RowIds(options.runId);
    this.stager = options.stager;
    this.catalog = new ColumnCatalog(
      warehouse,
      () => this.dialect,
      (row) => definition.columnTypeOf(row),
      config.schema,
    );
    this.writes = new WriteSession(warehouse, () => this.dialect, config.schema, this.catalog, log, options.writeLock, config.sort_key === 'key');
  }

  /** Creates the schema, reads the server's settings (the dialect's connection) and the columns of the schema's tables. */
  async init(): Promise<void> {
    await this.warehouse.query(this.dialect.createSchema(this.config.schema));
    const { identifierBytes, ...settings } = await this.definition.readServer((sql) => this.warehouse.query(sql));
    this.maxIdentifierBytes = identifierBytes;
    this.limits = { ...this.definition.capabilities, identifierBytes };
    this.dialect = this.definition.sql(settings);
    await this.refreshCatalog();
  }

  private async refreshCatalog(): Promise<void> {
    await this.catalog.refresh();
  }

  /** Columns of a table as this session knows them; undefined when the table does not exist. */
  columnsOf(table: string): ReadonlyMap<string, ColumnType> | undefined {
    return this.catalog.get(table);
  }

  /**
   * What worker threads encode a stream's records against (see `FastRowEncoder`): the columns of its live tables
   * and, for a version this loader stages, of its staging tables; a table it does not know is undefined. Columns
   * only widen and grow within a session, so a value that fits them fits them at the next batch too.
   */
  encodingColumns(plan: StreamPlan, version: number | undefined): { live: TableColumns[]; staged?: { version: number; tables: TableColumns[] } } {
    const columns = (name: string): TableColumns => {
      const known = this.catalog.get(name);
      return known ? [...known] : undefined;
    };
    const live = plan.tables.map((t) => columns(t.name));
    if (version === undefined || !this.versionsStaged.has(version)) return { live };
    return { live, staged: { version, tables: plan.tables.map((t) => columns(versionTable(t.name, version, this.maxIdentifierBytes))) } };
  }

  /** Whether every table a batch of the plan (and version) goes to exists in this session's catalog. */
  knowsTables(plan: StreamPlan, version: number | undefined): boolean {
    const { live, staged } = this.encodingColumns(plan, version);
    return live.every((t) => t !== undefined) || (staged?.tables.every((t) => t !== undefined) ?? false);
  }

  /** Rereads the columns of every table (after DDL run outside this loader). */
  async reloadCatalog(): Promise<void> {
    await this.refreshCatalog();
  }

  /** Loads one batch in one transaction. */
  async load(batch: Batch): Promise<void> {
    await this.loadAll([batch]);
  }

  /**
   * Loads several batches (of different streams) in ONE transaction, with `alsoInTransaction` (the state row)
   * last before the commit: all of them, or, on any failure, none.
   */
  async loadAll(batches: Batch[], alsoInTransaction?: () => Promise<void>): Promise<void> {
    const prepared: PreparedBatch[] = [];
    for (const batch of batches) prepared.push(await this.prepare(batch));
    let writing: PreparedBatch | undefined;
    await this.writes.transaction(
      async () => {
        for (const batch of prepared) {
          writing = batch;
          await this.write(batch);
        }
        writing = undefined;
        await alsoInTransaction?.();
      },
      async (error) => (writing ? this.failed(writing, error) : error),
    );
    for (const batch of prepared) await this.committed(batch);
  }

  /**
   * Flattens a batch (emptying `batch.records`), fits its rows to the tables (a value no column can hold fails
   * naming its record) and runs the DDL that must precede the transaction. The session's catalog takes the
   * batch's columns at once, so a batch prepared next sees them; a failure rereads it.
   */
  async prepare(batch: Batch): Promise<PreparedBatch> {
    const { plan } = batch;
    const target = (name: string) => (batch.version === undefined ? name : versionTable(name, batch.version, this.maxIdentifierBytes));
    if (batch.version !== undefined && !this.versionsStaged.has(batch.version)) {
      // Rows of this version staged by an earlier process are a refresh that never finished: its states were held,
      // so the tap starts the refresh over and they would be staged twice.
      await this.dropAbandonedVersions(plan, batch.version, true);
      this.versionsStaged.add(batch.version);
    }

    const flattener = new RecordFlattener(plan);
    const rows: Row[][] = plan.tables.map(() => []);
    const rowRecords: number[][] = plan.tables.map(() => []);
    const keyed = plan.keyProperties.length > 0;
    const records: PreparedBatch['records'] = [];
    const fast: FastRows[][] = plan.tables.map(() => []);
    // Deduplication reorders keyed records, so the batch's first line is the smallest one.
    let firstLine = Number.POSITIVE_INFINITY;
    for (const { record, metadata, line, fast: encoded, fastPlan } of batch.records) {
      if (line < firstLine) firstLine = line;
      if (encoded && fastPlan) {
        addFastRows(fast, plan, fastPlan, encoded, records.length);
        records.push({ line, keyText: encoded.key });
        continue;
      }
      const rowId = keyed ? undefined : this.rowIds.of(plan.stream, line, record);
      const deleted = this.config.hard_delete && record._sdc_deleted_at !== undefined && record._sdc_deleted_at !== null;
      const counts = rows.map((r) => r.length);
      // A hard-deleted record only needs its root row: its key drives the delete, and it is not inserted.
      flattener.flatten(deleted ? keyOnly(plan, record) : record, { rowId, metadata }, rows);
      for (let t = 0; t < rows.length; t++) for (let n = counts[t]; n < rows[t].length; n++) rowRecords[t].push(records.length);
      records.push({ line, ...(keyed ? { key: plan.keyProperties.map((k) => record[k] ?? null) } : {}) });
    }
    batch.records = [];

    const layouts: LayoutToApply[] = [];
    for (let t = 0; t < plan.tables.length; t++) {
      const live = plan.tables[t].name;
      const name = target(live);
      const existing = this.catalog.get(name);
      // A version's new staging table starts with the live table's columns, so it evolves exactly as a merge into
      // the live table would (same widenings, same variant columns) and swapping it in needs no type change.
      const seed = !existing && batch.version !== undefined ? this.catalog.get(live) : undefined;
      let layout: LayoutToApply;
      try {
        layout = layoutTable({ ...plan.tables[t], name }, existing ?? seed, rows[t], this.limits);
      } catch (error) {
        if (error instanceof LayoutError) {
          const at = records[rowRecords[t][error.rowIndex]];
          throw new LoadError({ stream: plan.stream, table: live, line: at.line, key: keyOf(at), column: error.column }, error.problem, { cause: error });
        }
        if (error instanceof ColumnLimitError) throw new LoadError({ stream: plan.stream, table: live, batchLine: firstLine }, error.message, { cause: error });
        throw error;
      }
      if (fast[t].length > 0 && !existing && !seed) throw new Error(`rows encoded by a worker for table ${name}, which this session does not know`);
      if (seed) {
        const types = new Map(seed);
        for (const c of layout.columns) types.set(c.name, c.type);
        layout = { ...layout, create: true, add: [], widen: [], createColumns: [...types].map(([n, type]) => ({ name: n, type })) };
      }
      layouts.push({ ...layout, keys: tableKeysOf(plan, t, this.config) });
    }
    rows.length = 0;
    for (const layout of layouts) {
      const columns = new Map(this.catalog.get(layout.table) ?? layout.createColumns?.map((c) => [c.name, c.type]) ?? []);
      for (const c of layout.columns) columns.set(c.name, c.type);
      this.catalog.set(layout.table, columns);
    }

    const prepared: PreparedBatch = { plan, version: batch.version, layouts, rowRecords, records, fast, firstLine, staged: [] };
    let table = plan.tables[0].name;
    try {
      await prepareLayouts(this.warehouse, this.dialect, this.config.schema, layouts, (name) => (table = name));
    } catch (error) {
      await this.refreshCatalog().catch(() => undefined);
      throw loadFailure({ stream: plan.stream, table, batchLine: firstLine }, messageOf(error), error);
    }
    return prepared;
  }

  /** Applies a prepared batch inside the caller's open transaction: its DDL, then its rows (append or merge). */
  async write(prepared: PreparedBatch): Promise<void> {
    const { plan, layouts } = prepared;
    await applyLayouts(this.warehouse, this.dialect, this.config.schema, layouts, (name) => (this.current = { prepared, table: name }));
    if (plan.keyProperties.length === 0 && !this.config.hard_delete) {
      // Append: nothing to match or filter, so rows go straight into their tables.
      for (let t = 0; t < layouts.length; t++) {
        this.current = { prepared, table: layouts[t].table, copying: t };
        const target = this.dialect.table(this.config.schema, layouts[t].table);
        if (layouts[t].rows.length > 0) prepared.staged.push(...(await this.copyRows(target, layouts[t])));
        layouts[t].rows = [];
        await this.copyFast(prepared, t, target);
      }
    } else {
      await this.mergeThroughTemps(prepared);
    }
    this.current = undefined;
  }

  /** After the transaction holding the batch committed: removes its staged S3 files. */
  async committed(prepared: PreparedBatch): Promise<void> {
    if (this.stager && prepared.staged.length > 0)
      await this.stager.remove(prepared.staged).catch((error) => this.log.warn('could not remove staged files', { error }));
  }

  /**
   * After a failure of {@link BatchLoader.write} (or of the transaction around it), once it was rolled back:
   * the error to throw. When the database refused a value while rows were being copied,
   * the rows are replayed into a scratch table to find the record and column it refused.
   */
  async failed(prepared: PreparedBatch, error: unknown): Promise<Error> {
    const current = this.current?.prepared === prepared ? this.current : undefined;
    this.current = undefined;
    if (error instanceof LoadError) return error;
    const { plan } = prepared;
    const table = current?.table ?? plan.tables[0].name;
    const liveName = plan.tables[current?.copying ?? 0]?.name ?? table;
    const message = messageOf(error);
    const code = String((error as { code?: unknown }).code ?? '');
    if (current?.copying !== undefined && current.fast && /^2[23]/.test(code)) {
      const found = await this.locateBadFragment(prepared.layouts[current.copying], current.fast).catch(() => undefined);
      if (found !== undefined) {
        const at = prepared.records[current.fast.records[found]];
        return new LoadError({ stream: plan.stream, table: liveName, line: at.line, key: keyOf(at) }, message, { cause: error });
      }
    } else if (current?.copying !== undefined && /^2[23]/.test(code)) {
      const t = current.copying;
      const layout = prepared.layouts[t];
      const found = await this.locateBadRow(layout).catch(() => undefined);
      if (found) {
        const at = prepared.records[prepared.rowRecords[t][found.row]];
        return new LoadError({ stream: plan.stream, table: liveName, line: at.line, key: keyOf(at), column: found.column }, message, { cause: error });
      }
    }
    return loadFailure({ stream: plan.stream, table: current ? liveName : table, batchLine: prepared.firstLine }, message, error);
  }

  /**
   * Merge (and hard deletes) through the write session: rows go to session temp tables; the root rows matching
   * their keys and all their child rows are deleted; then the rows are inserted (a hard-deleted record's root
   * row only drives the delete). Runs inside the batch's transaction.
   */
  private async mergeThroughTemps(prepared: PreparedBatch): Promise<void> {
    const { plan, layouts } = prepared;
    await this.writes.merge({
      plan,
      tables: layouts.map((l) => l.table),
      fill: async (t, temp) => {
        this.current = { prepared, table: layouts[t].table, copying: t };
        let rows = layouts[t].rows.length;
        if (rows > 0) prepared.staged.push(...(await this.copyRows(temp, layouts[t])));
        layouts[t].rows = [];
        rows += await this.copyFast(prepared, t, temp);
        // Rows encoded by workers leave the layout's other columns (variants of this batch, later fields) NULL.
        return rows > 0 ? { columns: layouts[t].columns.map((c) => c.name), rows } : undefined;
      },
      replace: 'key',
      live: prepared.version === undefined,
      // With hard_delete every plan has `_sdc_deleted_at` (see PlanOptions.deletedAtColumn).
      hardDeleteColumn: this.config.hard_delete ? '_sdc_deleted_at' : undefined,
      onTable: (table) => (this.current = { prepared, table }),
    });
  }

  /** Live names of the tables staged for `version`. */
  private stagedTablesOf(version: number): string[] {
    const prefix = `_sdc_v${version}_`;
    return this.catalog
      .names()
      .filter((name) => name.startsWith(prefix) && versionTable(name.slice(prefix.length), version, this.maxIdentifierBytes) === name)
      .map((name) => name.slice(prefix.length));
  }

  /** Loads a layout's rows into `target` (a quoted, possibly qualified table); returns S3 keys to remove after commit. */
  private async copyRows(target: string, layout: TableLayout, rows = layout.rows, viaS3 = true): Promise<string[]> {
    const columns = layout.columns.map((c) => c.name);
    const json = layout.columns.map((c) => c.type.kind === 'json');
    if (this.dialect.copyFromStdin) {
      await this.warehouse.copyFromStdin(this.dialect.copyFromStdin(target, columns), csvChunks(rows, { json }));
      return [];
    }
    if (viaS3 && this.stager && this.dialect.copyFromS3 && this.config.s3?.iam_role) {
      const { url, keys } = await this.stager.stage(layout.table, rows, json);
      await this.warehouse.query(this.dialect.copyFromS3(target, columns, url, this.config.s3.iam_role, this.config.s3.region));
      return keys;
    }
    // The next statement is built while the server parses and runs the one before (one in flight: the session runs
    // them in order; a failure is thrown before any later statement is sent).
    let running: Promise<unknown> | undefined;
    for (const sql of this.dialect.insertValues(target, layout.columns, rows, this.config.insert_statement_bytes)) {
      const next = running;
      running = undefined;
      if (next) await next;
      running = this.warehouse.query(sql);
      // Attach a handler now: a rejection while the next statement is being built must not be reported as unhandled.
      running.catch(() => undefined);
    }
    if (running) await running;
    return [];
  }

  /** COPYs the rows workers encoded for table `t` of a batch into `target`; returns how many. */
  private async copyFast(prepared: PreparedBatch, t: number, target: string): Promise<number> {
    let rows = 0;
    for (const group of prepared.fast[t]) {
      this.current = { prepared, table: prepared.layouts[t].table, copying: t, fast: group };
      prepared.staged.push(...(await this.copyFragments(target, prepared.layouts[t].table, group.columns, group.fragments)));
      rows += group.rows;
    }
    prepared.fast[t] = [];
    if (this.current?.prepared === prepared) this.current = { prepared, table: prepared.layouts[t].table };
    return rows;
  }

  /** COPYs CSV fragments into `target` as {@link BatchLoader.copyRows} copies rows; returns S3 keys to remove after commit. */
  private async copyFragments(target: string, table: string, columns: string[], fragments: string[], viaS3 = true): Promise<string[]> {
    if (this.dialect.copyFromStdin) {
      await this.warehouse.copyFromStdin(this.dialect.copyFromStdin(target, columns), joinFragments(fragments));
      return [];
    }
    // Workers run only for COPY dialects and S3 staging (see `workersFor`).
    if (!viaS3 || !this.stager || !this.dialect.copyFromS3 || !this.config.s3?.iam_role) throw new Error('rows encoded by workers need COPY');
    const { url, keys } = await this.stager.stageText(table, fragments);
    await this.warehouse.query(this.dialect.copyFromS3(target, columns, url, this.config.s3.iam_role, this.config.s3.region));
    return keys;
  }

  /** The index (in `group`) of the first record whose CSV rows the database refuses, halving as {@link BatchLoader.locateBadRow} does. */
  private async locateBadFragment(layout: TableLayout, group: FastRows): Promise<number | undefined> {
    const probe = this.dialect.quote(PROBE_TABLE);
    await this.warehouse.query(this.dialect.dropTemp(PROBE_TABLE)).catch(() => undefined);
    await this.warehouse.query(
      `CREATE TEMP TABLE ${probe} (${layout.columns.map((c) => `${this.dialect.quote(c.name)} ${this.dialect.columnType(c.type)}`).join(', ')})`,
    );
    try {
      const accepts = (from: number, to: number) =>
        this.copyFragments(probe, layout.table, group.columns, group.fragments.slice(from, to)).then(
          () => true,
          () => false,
        );
      let lo = 0;
      let hi = group.fragments.length;
      if (await accepts(lo, hi)) return undefined;
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if (await accepts(lo, mid)) lo = mid;
        else hi = mid;
      }
      return lo;
    } finally {
      await this.warehouse.query(this.dialect.dropTemp(PROBE_TABLE)).catch(() => undefined);
    }
  }

  /**
   * Finds the first row (and its column) of a layout the database refuses, outside any transaction: rows are
   * copied into a session temp table of the layout's columns, halving the range until one row is left, then
   * that row is tried one column at a time. About log2(rows) statements; only run after a data error.
   */
  private async locateBadRow(layout: TableLayout): Promise<{ row: number; column?: string } | undefined> {
    const rows = layout.rows;
    if (rows.length === 0) return undefined;
    const probe = this.dialect.quote(PROBE_TABLE);
    const columns: TypedColumn[] = layout.columns;
    await this.warehouse.query(this.dialect.dropTemp(PROBE_TABLE)).catch(() => undefined);
    await this.warehouse.query(
      `CREATE TEMP TABLE ${probe} (${columns.map((c) => `${this.dialect.quote(c.name)} ${this.dialect.columnType(c.type)}`).join(', ')})`,
    );
    try {
      const accepts = (part: Row[]) =>
        this.copyRows(probe, layout, part, false).then(
          () => true,
          () => false,
        );
      let lo = 0;
      let hi = rows.length;
      if (await accepts(rows)) return undefined;
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if (await accepts(rows.slice(lo, mid))) lo = mid;
        else hi = mid;
      }
      const row = rows[lo];
      for (let c = 0; c < columns.length; c++) {
        if (row[c] === null || row[c] === undefined) continue;
        const only = row.map((v, i) => (i === c ? v : null));
        if (!(await accepts([only]))) return { row: lo, column: columns[c].name };
      }
      return { row: lo };
    } finally {
      await this.warehouse.query(this.dialect.dropTemp(PROBE_TABLE)).catch(() => undefined);
    }
  }

  /**
   * Makes version `version` of a stream its live tables, in ONE transaction, by deleting the live rows and
   * copying the staged ones in (`DELETE` + `INSERT ... SELECT`), never by renaming tables: every reader, whatever
   * its isolation level or snapshot, sees the old rows or the new, and readers do not block the swap (they
   * hold no lock a DELETE or INSERT waits for). A table the version has no rows for is emptied (or created empty),
   * and so is every child table of the stream that its schema no longer has. A version without any staged row
   * (the source is now empty) empties the stream's tables.
   */
  async activate(plan: StreamPlan, version: number): Promise<void> {
    const schema = this.config.schema;
    const root = plan.tables[0].name;
    // The plan's tables, and any child table this version staged under an earlier SCHEMA of the stream.
    const names = [...new Set([...plan.tables.map((t) => t.name), ...this.stagedTablesOf(version).filter((name) => name.startsWith(`${root}__`))])];
    const orphans = this.catalog.childTablesOf(root).filter((name) => !names.includes(name));
    // Staged columns the live tables lack are added; narrower live columns widen (a staging table starts with the
    // live columns, so only columns the version widened differ, and only by the widenings a merge would make).
    const changes = new Map<string, { add: TypedColumn[]; widen: ColumnChange[] }>();
    for (const name of names) {
      const staged = this.catalog.get(versionTable(name, version, this.maxIdentifierBytes));
      const live = this.catalog.get(name);
      if (!staged || !live) continue;
      const change = { add: [] as TypedColumn[], widen: [] as ColumnChange[] };
      for (const [column, type] of staged) {
        const now = live.get(column);
        if (!now) {
          change.add.push({ name: column, type });
          continue;
        }
        const merged = mergeTypes(now, type);
        if (!merged)
          throw new LoadError(
            { stream: plan.stream, table: name },
            `ACTIVATE_VERSION ${version}: column ${JSON.stringify(column)} of the new version is ${describeType(type)}, which the live table's ${describeType(now)} cannot take`,
          );
        if (!sameType(merged, now)) change.widen.push({ name: column, from: now, to: merged });
      }
      changes.set(name, change);
    }
    let table = names[0];
    try {
      for (const [name, change] of changes) {
        table = name;
        for (const w of change.widen) {
          const statements = this.dialect.widenColumn(schema, name, w);
          if (!statements.inTransaction) for (const sql of statements.statements) await this.warehouse.query(sql);
        }
      }
      await this.writes.transaction(async () => {
        for (const [i, name] of names.entries()) {
          table = name;
          const staging = versionTable(name, version, this.maxIdentifierBytes);
          const staged = this.catalog.get(staging);
          const live = this.catalog.get(name);
          if (staged) {
            if (!live) {
              await this.createKeyed(
                plan,
                name,
                [...staged].map(([n, type]) => ({ name: n, type })),
              );
            } else {
              const change = changes.get(name)!;
              for (const column of change.add) await this.warehouse.query(this.dialect.addColumn(schema, name, column));
              for (const w of change.widen) {
                const statements = this.dialect.widenColumn(schema, name, w);
                if (statements.inTransaction) for (const sql of statements.statements) await this.warehouse.query(sql);
              }
              await this.warehouse.query(this.dialect.deleteAll(schema, name));
            }
            await this.warehouse.query(
              this.dialect.copyTable(
                schema,
                staging,
                name,
                [...staged.keys()].map((c) => [c, c]),
              ),
            );
            await this.writes.summarizeSortKey(name);
            await this.warehouse.query(this.dialect.dropTable(schema, staging));
          } else if (live) {
            await this.warehouse.query(this.dialect.deleteAll(schema, name));
          } else if (i < plan.tables.length) {
            await this.createKeyed(plan, name, layoutTable(plan.tables[i], undefined, [], this.limits).columns);
          }
        }
        for (const orphan of orphans) {
          table = orphan;
          await this.warehouse.query(this.dialect.deleteAll(schema, orphan));
        }
      });
    } catch (error) {
      throw loadFailure({ stream: plan.stream, table }, `ACTIVATE_VERSION ${version}: ${messageOf(error)}`, error);
    }
    if (orphans.length > 0) this.log.info('child tables the new version lacks were emptied', { stream: plan.stream, tables: orphans });
    await this.refreshCatalog();
    // Staging tables of other versions are superseded now (a version started and never activated).
    await this.dropAbandonedVersions(plan, version);
  }

  /** Creates a live table of the stream with its sort and distribution keys (see `tableKeysOf`). */
  private async createKeyed(plan: StreamPlan, name: string, columns: TypedColumn[]): Promise<void> {
    const keys = tableKeysOf(
      plan,
      plan.tables.findIndex((t) => t.name === name),
      this.config,
    );
    await this.warehouse.query(this.dialect.createTable(this.config.schema, name, columns, keys));
    if (keys && this.dialect.afterCreate) for (const sql of this.dialect.afterCreate(this.config.schema, name, keys)) await this.warehouse.query(sql);
  }

  /**
   * Drops staging tables of other versions of the stream (with `own`, of this one too): a full refresh that
   * never finished (the tap died, or a newer version started).
   */
  private async dropAbandonedVersions(plan: StreamPlan, version: number, own = false): Promise<void> {
    const names = new Set(plan.tables.map((t) => t.name));
    let dropped = false;
    for (const table of this.catalog.names()) {
      const m = STAGING_TABLE.exec(table);
      if (m && names.has(m[2]) && (own || Number(m[1]) !== version)) {
        await this.warehouse.query(this.dialect.dropTable(this.config.schema, table));
        dropped = true;
      }
    }
    if (dropped) await this.refreshCatalog();
  }
}

/** A record's key for an error message. */
function keyOf(at: { key?: unknown[]; keyText?: string }): unknown[] | undefined {
  return at.key ?? (at.keyText === undefined ? undefined : (JSON.parse(at.keyText) as unknown[]));
}

/** Adds a worker-encoded record's CSV rows to the batch's groups (by table name when the plan grew since). */
function addFastRows(fast: FastRows[][], plan: StreamPlan, encodedWith: StreamPlan, encoded: FastRecord, record: number): void {
  for (let f = 0; f < encodedWith.tables.length; f++) {
    if (encoded.rows[f] === 0) continue;
    const table = encodedWith.tables[f];
    const t = encodedWith === plan ? f : plan.tables.findIndex((p) => p.name === table.name);
    if (t < 0) throw new Error(`rows encoded by a worker for table ${table.name}, which the stream's plan no longer has`);
    let group = fast[t].find((g) => g.plan === encodedWith);
    if (!group) {
      group = { plan: encodedWith, columns: table.columns.map((c) => c.name), fragments: [], records: [], rows: 0 };
      fast[t].push(group);
    }
    group.fragments.push(encoded.csv[f]);
    group.records.push(record);
    group.rows += encoded.rows[f];
  }
}

/** CSV fragments joined into chunks of about 1 MiB, so COPY gets few big writes. */
function* joinFragments(fragments: string[]): Generator<string> {
  let chunk = '';
  for (const fragment of fragments) {
    chunk += fragment;
    if (chunk.length >= 1 << 20) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk.length > 0) yield chunk;
}

/** The part of a record a hard delete needs: its key properties and `_sdc_deleted_at`. */
function keyOnly(plan: StreamPlan, record: JsonRecord): JsonRecord {
  const out: JsonRecord = { _sdc_deleted_at: record._sdc_deleted_at };
  for (const k of plan.keyProperties) out[k] = record[k];
  return out;
}
