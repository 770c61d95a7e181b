import { serializeJson, type JsonRecord, type Logger } from '@observes/protocol';
import {
  ColumnLimitError,
  LayoutError,
  MAX_IDENTIFIER_BYTES,
  RecordFlattener,
  RowIds,
  SOURCE_KEY_PREFIX,
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
} from '@observes/target-core';
import { applyLayouts, prepareLayouts, type LayoutToApply } from './apply-layouts.js';
import { catalogFromRows } from './column-catalog.js';
import type { TargetConfig } from './config.js';
import { csvChunks } from './csv-rows.js';
import type { Dialect, TypedColumn } from './dialects/dialect.js';
import type { S3Stager } from './s3-staging.js';
import { hasOrder, tableKeysOf } from './table-keys.js';
import type { Warehouse } from './warehouse.js';

/** Largest multi-row INSERT we send when the config does not say (`insert_statement_bytes`): under Redshift's 16 MB statement limit. */
const MAX_INSERT_BYTES = 15 * 1024 * 1024;
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

/** Where a load failed: the stream and table always; the record's line, key and column when known. */
export interface FailurePlace {
  stream: string;
  table: string;
  /** Line of the record at fault. */
  line?: number;
  /** The record's key values (keyed streams). */
  key?: unknown[];
  column?: string;
  /** First input line of the batch, when no single record is known. */
  batchLine?: number;
}

/**
 * A load failed; nothing of the batch was applied. Names the record when it is known, as protocol errors do
 * (`line 12: stream "jobs": value of 70000 bytes is longer than … (key [7], table "jobs", column "title")`),
 * else the batch (`stream "jobs": table "jobs": batch starting at line 12: …`).
 */
export class LoadError extends Error {
  readonly place: FailurePlace;
  constructor(place: FailurePlace, cause: string) {
    let message: string;
    if (place.line !== undefined) {
      const details = [...(place.key ? [`key ${serializeJson(place.key)}`] : []), `table ${JSON.stringify(place.table)}`, ...(place.column ? [`column ${JSON.stringify(place.column)}`] : [])];
      message = `line ${place.line}: stream ${JSON.stringify(place.stream)}: ${cause} (${details.join(', ')})`;
    } else {
      message = `stream ${JSON.stringify(place.stream)}: table ${JSON.stringify(place.table)}: ${place.batchLine === undefined ? '' : `batch starting at line ${place.batchLine}: `}${cause}`;
    }
    super(message);
    this.name = 'LoadError';
    this.place = place;
  }
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
  /** Line and key of each record, for errors. */
  records: Array<{ line: number; key?: unknown[] }>;
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
export class BatchLoader {
  private catalog = new Map<string, Map<string, ColumnType>>();
  /** Longest identifier the warehouse keeps: Redshift's 127 bytes, or less when the server says so (PostgreSQL: 63). */
  maxIdentifierBytes = MAX_IDENTIFIER_BYTES;
  /** The dialect, spelled for the server's settings once {@link BatchLoader.init} has read them. */
  dialect: Dialect;
  private readonly rowIds: RowIds;
  private readonly stager?: S3Stager;
  /** Child tables whose rows from an earlier key were already reported. */
  private readonly reportedLegacy = new Set<string>();
  private readonly writeLock?: () => string[];
  /** Versions this loader staged rows of: staging tables of another version, or of one of these left by an earlier process, are dropped first. */
  private readonly versionsStaged = new Set<number>();
  /** What {@link BatchLoader.write} is doing (table, and the layout whose rows are being copied), so a failure can name the table and find the bad row. */
  private current: { prepared: PreparedBatch; table: string; copying?: number } | undefined;
  /**
   * Rows this session inserted into each live table since it last analyzed it, and the table's rows then (as far
   * as this session knows): a table that doubled is analyzed again, so the planner's estimate of its size and key
   * order stays right and the merge's range-bounded DELETE uses the key's BRIN index (PostgreSQL) instead of a scan.
   */
  private readonly growth = new Map<string, { since: number; base: number }>();

  constructor(
    private readonly warehouse: Warehouse,
    dialect: Dialect,
    private readonly config: TargetConfig,
    private readonly log: Logger,
    options: BatchLoaderOptions,
  ) {
    this.dialect = dialect;
    this.rowIds = new RowIds(options.runId);
    this.stager = options.stager;
    this.writeLock = options.writeLock;
  }

  /** Creates the schema, reads the server's settings and the columns of the schema's tables. */
  async init(): Promise<void> {
    await this.warehouse.query(this.dialect.createSchema(this.config.schema));
    this.maxIdentifierBytes = Math.min(MAX_IDENTIFIER_BYTES, await this.serverIdentifierLimit());
    this.dialect = this.dialect.forServer({ standardConformingStrings: await this.standardConformingStrings(), redshift: await this.isRedshift() });
    await this.refreshCatalog();
  }

  /** PostgreSQL reports its identifier limit; Redshift does not have the setting (the query fails: 127 applies). */
  private async serverIdentifierLimit(): Promise<number> {
    try {
      const rows = await this.warehouse.query("SELECT current_setting('max_identifier_length') AS n");
      const n = Number(rows[0]?.n);
      return Number.isInteger(n) && n > 0 ? n : MAX_IDENTIFIER_BYTES;
    } catch {
      return MAX_IDENTIFIER_BYTES;
    }
  }

  /** Whether the server is Redshift itself (it names itself in `version()`), not PostgreSQL under the test shim. */
  private async isRedshift(): Promise<boolean> {
    try {
      return /redshift/i.test(String((await this.warehouse.query('SELECT version() AS version'))[0]?.version ?? ''));
    } catch {
      return false;
    }
  }

  /** Whether backslashes in literals are literal; a server without the setting escapes with them, as Redshift does. */
  private async standardConformingStrings(): Promise<boolean> {
    try {
      const rows = await this.warehouse.query('SHOW standard_conforming_strings');
      return String(Object.values(rows[0] ?? {})[0]).toLowerCase() === 'on';
    } catch {
      return false;
    }
  }

  private async refreshCatalog(): Promise<void> {
    this.catalog = catalogFromRows(await this.warehouse.query(this.dialect.listColumns(), [this.config.schema]));
  }

  /** Columns of a table as this session knows them; undefined when the table does not exist. */
  columnsOf(table: string): ReadonlyMap<string, ColumnType> | undefined {
    return this.catalog.get(table);
  }

  /** Rereads the columns of every table (after DDL run outside this loader). */
  async reloadCatalog(): Promise<void> {
    await this.refreshCatalog();
  }

  /** Opens a write transaction: `BEGIN`, then the writer lock (so two writers of the schema run one after the other). */
  async beginWrite(): Promise<void> {
    await this.warehouse.query('BEGIN');
    for (const sql of this.writeLock?.() ?? []) await this.warehouse.query(sql);
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
    try {
      await this.beginWrite();
      for (const batch of prepared) {
        writing = batch;
        await this.write(batch);
      }
      writing = undefined;
      await alsoInTransaction?.();
      await this.warehouse.query('COMMIT');
    } catch (error) {
      if (writing) throw await this.failed(writing, error);
      await this.rollback();
      throw error;
    }
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
    // Deduplication reorders keyed records, so the batch's first line is the smallest one.
    let firstLine = Number.POSITIVE_INFINITY;
    for (const { record, metadata, line } of batch.records) {
      if (line < firstLine) firstLine = line;
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
        layout = layoutTable({ ...plan.tables[t], name }, existing ?? seed, rows[t], this.maxIdentifierBytes);
      } catch (error) {
        if (error instanceof LayoutError) {
          const at = records[rowRecords[t][error.rowIndex]];
          throw new LoadError({ stream: plan.stream, table: live, line: at.line, key: at.key, column: error.column }, error.problem);
        }
        if (error instanceof ColumnLimitError) throw new LoadError({ stream: plan.stream, table: live, batchLine: firstLine }, error.message);
        throw error;
      }
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

    const prepared: PreparedBatch = { plan, version: batch.version, layouts, rowRecords, records, firstLine, staged: [] };
    let table = plan.tables[0].name;
    try {
      await prepareLayouts(this.warehouse, this.dialect, this.config.schema, layouts, (name) => (table = name));
    } catch (error) {
      await this.refreshCatalog().catch(() => undefined);
      throw new LoadError({ stream: plan.stream, table, batchLine: firstLine }, (error as Error).message);
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
        if (layouts[t].rows.length > 0) prepared.staged.push(...(await this.copyRows(this.dialect.table(this.config.schema, layouts[t].table), layouts[t])));
        layouts[t].rows = [];
      }
    } else {
      await this.mergeThroughTemps(prepared);
    }
    this.current = undefined;
  }

  /** After the transaction holding the batch committed: removes its staged S3 files. */
  async committed(prepared: PreparedBatch): Promise<void> {
    if (this.stager && prepared.staged.length > 0) await this.stager.remove(prepared.staged).catch((error) => this.log.warn('could not remove staged files', { error }));
  }

  /**
   * After a failure of {@link BatchLoader.write} (or of the transaction around it): rolls back, rereads the
   * catalog, and returns the error to throw. When the database refused a value while rows were being copied,
   * the rows are replayed into a scratch table to find the record and column it refused.
   */
  async failed(prepared: PreparedBatch, error: unknown): Promise<Error> {
    const current = this.current?.prepared === prepared ? this.current : undefined;
    this.current = undefined;
    await this.rollback();
    if (error instanceof LoadError) return error;
    const { plan } = prepared;
    const table = current?.table ?? plan.tables[0].name;
    const liveName = plan.tables[current?.copying ?? 0]?.name ?? table;
    const message = (error as Error).message;
    const code = String((error as { code?: unknown }).code ?? '');
    if (current?.copying !== undefined && /^2[23]/.test(code)) {
      const t = current.copying;
      const layout = prepared.layouts[t];
      const found = await this.locateBadRow(layout).catch(() => undefined);
      if (found) {
        const at = prepared.records[prepared.rowRecords[t][found.row]];
        return new LoadError({ stream: plan.stream, table: liveName, line: at.line, key: at.key, column: found.column }, message);
      }
    }
    return new LoadError({ stream: plan.stream, table: current ? liveName : table, batchLine: prepared.firstLine }, message);
  }

  /**
   * Merge (and hard deletes): rows go to session temp tables; the root rows matching their keys and all
   * their child rows are deleted; then the rows are inserted (a hard-deleted record's root row only drives
   * the delete). Runs inside the batch's transaction.
   */
  private async mergeThroughTemps(prepared: PreparedBatch): Promise<void> {
    const { plan, layouts } = prepared;
    const schema = this.config.schema;
    const temps = layouts.map((_, t) => `_sdc_stage_${t}`);
    const filled = layouts.map((layout) => layout.rows.length > 0);
    for (let t = 0; t < layouts.length; t++) {
      this.current = { prepared, table: layouts[t].table, copying: t };
      await this.warehouse.query(this.dialect.createTemp(temps[t], schema, layouts[t].table));
      if (filled[t]) prepared.staged.push(...(await this.copyRows(this.dialect.quote(temps[t]), layouts[t])));
      layouts[t].rows = [];
    }
    this.current = { prepared, table: layouts[0].table };
    if (plan.keyProperties.length > 0) {
      // Without statistics the planner guesses the staged table's size and may sort the whole live table to disk
      // for a merge join (EXPLAIN at 1M rows: 2.1 s a batch, against 0.9 s hashing the analyzed temp table).
      if (this.dialect.analyze && filled[0]) await this.warehouse.query(this.dialect.analyze(this.dialect.quote(temps[0])));
      await this.analyzeGrown(layouts.map((l) => l.table));
      await this.deleteReplaced(plan, layouts.map((l) => l.table), temps[0], prepared.version === undefined);
    }
    // With hard_delete every plan has `_sdc_deleted_at` (see PlanOptions.deletedAtColumn).
    const hardDeleteColumn = this.config.hard_delete ? '_sdc_deleted_at' : undefined;
    for (let t = 0; t < layouts.length; t++) {
      if (!filled[t]) continue;
      this.current = { prepared, table: layouts[t].table };
      await this.warehouse.query(this.dialect.insertFromTemp(schema, layouts[t].table, temps[t], layouts[t].columns.map((c) => c.name), t === 0 ? hardDeleteColumn : undefined));
      this.grew(layouts[t].table, prepared.rowRecords[t].length);
    }
    for (const temp of temps) await this.warehouse.query(this.dialect.dropTemp(temp));
  }

  /** Counts rows inserted into a live table (see {@link BatchLoader.growth}). */
  private grew(table: string, rows: number): void {
    const g = this.growth.get(table) ?? { since: 0, base: 0 };
    g.since += rows;
    this.growth.set(table, g);
  }

  /**
   * `ANALYZE` (PostgreSQL, tables with a sort key) of the live tables that at least doubled, by this session's
   * count, since it last analyzed them (and grew by 10,000 rows): about log2 of the rows analyses in all, each a
   * sample of at most 30,000 rows, instead of relying on the server's autovacuum to keep up.
   */
  private async analyzeGrown(tables: string[]): Promise<void> {
    if (!this.dialect.analyze || !this.dialect.afterCreate || this.config.sort_key !== 'key') return;
    for (const table of tables) {
      const g = this.growth.get(table);
      if (!g || g.since < Math.max(10_000, g.base)) continue;
      this.current = { prepared: this.current!.prepared, table };
      await this.warehouse.query(this.dialect.analyze(this.dialect.table(this.config.schema, table)));
      this.growth.set(table, { since: 0, base: g.base + g.since });
    }
  }

  /**
   * Deletes the root rows the batch replaces and all their child rows: children first, matched through the
   * root temp table, so a record whose list got shorter loses its old child rows. In live tables (`live`) it
   * also deletes, through the root rows being replaced, child rows written under an earlier key of the stream
   * (their `_sdc_source_key_<old key>` columns) and the rows of child tables the schema no longer has.
   */
  private async deleteReplaced(plan: StreamPlan, tables: string[], temp: string, live: boolean): Promise<void> {
    const schema = this.config.schema;
    const root = tables[0];
    const rootColumns = this.catalog.get(root);
    const children = live ? [...new Set([...tables.slice(1), ...this.childTablesOf(root)])] : tables.slice(1);
    for (const child of children) {
      const columns = this.catalog.get(child);
      if (!columns) continue;
      this.current = { prepared: this.current!.prepared, table: child };
      if (plan.sourceKeyColumns.every((c) => columns.has(c))) {
        await this.warehouse.query(this.dialect.deleteUsing(schema, child, temp, plan.sourceKeyColumns.map((s, i) => [s, plan.keyColumns[i]]), hasOrder(columns.get(plan.sourceKeyColumns[0]))));
      }
      if (!live || !rootColumns) continue;
      const legacy = [...columns.keys()]
        .filter((c) => c.startsWith(SOURCE_KEY_PREFIX) && !plan.sourceKeyColumns.includes(c) && rootColumns.has(c.slice(SOURCE_KEY_PREFIX.length)))
        .map((c): [string, string] => [c, c.slice(SOURCE_KEY_PREFIX.length)]);
      if (legacy.length === 0) continue;
      if (!this.reportedLegacy.has(child)) {
        this.reportedLegacy.add(child);
        this.log.warn('child rows written under an earlier key: deleted with the root rows they belong to', { stream: plan.stream, table: child, keys: legacy.map(([, r]) => r), key: plan.keyProperties });
      }
      await this.warehouse.query(this.dialect.deleteLegacyChildren(schema, child, root, temp, plan.keyColumns.map((k) => [k, k]), plan.sourceKeyColumns.filter((c) => columns.has(c)), legacy));
    }
    this.current = { prepared: this.current!.prepared, table: root };
    await this.warehouse.query(this.dialect.deleteUsing(schema, root, temp, plan.keyColumns.map((k) => [k, k]), hasOrder(rootColumns?.get(plan.keyColumns[0]))));
  }

  /** Live names of the tables staged for `version`. */
  private stagedTablesOf(version: number): string[] {
    const prefix = `_sdc_v${version}_`;
    return [...this.catalog.keys()].filter((name) => name.startsWith(prefix) && versionTable(name.slice(prefix.length), version, this.maxIdentifierBytes) === name).map((name) => name.slice(prefix.length));
  }

  /** Child tables of a root table in the catalog: named `<root>__…`, with `_sdc_level_0_id`, not a version's staging table. */
  private childTablesOf(root: string): string[] {
    return [...this.catalog.entries()].filter(([name, columns]) => name.startsWith(`${root}__`) && columns.has('_sdc_level_0_id')).map(([name]) => name);
  }

  /** Rolls back after a failure and rereads the catalog (the DDL of the batch was rolled back too). */
  private async rollback(): Promise<void> {
    try {
      await this.warehouse.query('ROLLBACK');
      await this.refreshCatalog();
    } catch (error) {
      this.log.warn('rollback failed', { error });
    }
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
    for (const sql of this.dialect.insertValues(target, layout.columns, rows, this.config.insert_statement_bytes ?? MAX_INSERT_BYTES)) {
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
    await this.warehouse.query(`CREATE TEMP TABLE ${probe} (${columns.map((c) => `${this.dialect.quote(c.name)} ${this.dialect.columnType(c.type)}`).join(', ')})`);
    try {
      const accepts = (part: Row[]) => this.copyRows(probe, layout, part, false).then(() => true, () => false);
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
    const orphans = this.childTablesOf(root).filter((name) => !names.includes(name));
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
        if (!merged) throw new LoadError({ stream: plan.stream, table: name }, `ACTIVATE_VERSION ${version}: column ${JSON.stringify(column)} of the new version is ${describeType(type)}, which the live table's ${describeType(now)} cannot take`);
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
      await this.beginWrite();
      for (const [i, name] of names.entries()) {
        table = name;
        const staging = versionTable(name, version, this.maxIdentifierBytes);
        const staged = this.catalog.get(staging);
        const live = this.catalog.get(name);
        if (staged) {
          if (!live) {
            await this.createKeyed(plan, name, [...staged].map(([n, type]) => ({ name: n, type })));
          } else {
            const change = changes.get(name)!;
            for (const column of change.add) await this.warehouse.query(this.dialect.addColumn(schema, name, column));
            for (const w of change.widen) {
              const statements = this.dialect.widenColumn(schema, name, w);
              if (statements.inTransaction) for (const sql of statements.statements) await this.warehouse.query(sql);
            }
            await this.warehouse.query(this.dialect.deleteAll(schema, name));
          }
          await this.warehouse.query(this.dialect.copyTable(schema, staging, name, [...staged.keys()].map((c) => [c, c])));
          await this.warehouse.query(this.dialect.dropTable(schema, staging));
        } else if (live) {
          await this.warehouse.query(this.dialect.deleteAll(schema, name));
        } else if (i < plan.tables.length) {
          await this.createKeyed(plan, name, layoutTable(plan.tables[i], undefined, [], this.maxIdentifierBytes).columns);
        }
      }
      for (const orphan of orphans) {
        table = orphan;
        await this.warehouse.query(this.dialect.deleteAll(schema, orphan));
      }
      await this.warehouse.query('COMMIT');
    } catch (error) {
      await this.rollback();
      throw new LoadError({ stream: plan.stream, table }, `ACTIVATE_VERSION ${version}: ${(error as Error).message}`);
    }
    if (orphans.length > 0) this.log.info('child tables the new version lacks were emptied', { stream: plan.stream, tables: orphans });
    await this.refreshCatalog();
    // Staging tables of other versions are superseded now (a version started and never activated).
    await this.dropAbandonedVersions(plan, version);
  }

  /** Creates a live table of the stream with its sort and distribution keys (see `tableKeysOf`). */
  private async createKeyed(plan: StreamPlan, name: string, columns: TypedColumn[]): Promise<void> {
    const keys = tableKeysOf(plan, plan.tables.findIndex((t) => t.name === name), this.config);
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
    for (const table of this.catalog.keys()) {
      const m = STAGING_TABLE.exec(table);
      if (m && names.has(m[2]) && (own || Number(m[1]) !== version)) {
        await this.warehouse.query(this.dialect.dropTable(this.config.schema, table));
        dropped = true;
      }
    }
    if (dropped) await this.refreshCatalog();
  }
}

/** The part of a record a hard delete needs: its key properties and `_sdc_deleted_at`. */
function keyOnly(plan: StreamPlan, record: JsonRecord): JsonRecord {
  const out: JsonRecord = { _sdc_deleted_at: record._sdc_deleted_at };
  for (const k of plan.keyProperties) out[k] = record[k];
  return out;
}
