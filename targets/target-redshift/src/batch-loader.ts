import { serializeJson, type JsonRecord, type Logger } from '@observes/protocol';
import { LayoutError, MAX_IDENTIFIER_BYTES, RecordFlattener, layoutTable, RowIdAssigner, shortenIdentifier, type ColumnType, type Row, type StreamPlan, type TableLayout } from '@observes/target-core';
import { catalogFromRows } from './column-catalog.js';
import type { TargetConfig } from './config.js';
import { applyLayouts } from './apply-layouts.js';
import { csvChunks } from './csv-rows.js';
import type { Dialect } from './dialects/dialect.js';
import type { S3Stager } from './s3-staging.js';
import type { Warehouse } from './warehouse.js';

/** Largest multi-row INSERT we send: well under Redshift's 16 MB statement limit. */
const MAX_INSERT_BYTES = 8 * 1024 * 1024;

/** One buffered record. */
export interface BufferedRecord {
  /** The record as read (ExactNumbers included). */
  record: JsonRecord;
  /** Input line, for error messages. */
  line: number;
  /** Metadata column values, when the plan has them. */
  metadata?: Record<string, unknown>;
}

/** A batch of one stream, ready to load. */
export interface Batch {
  /** The stream's plan when its records were read (a later SCHEMA does not change it). */
  plan: StreamPlan;
  /** Records in input order, deduplicated by key for keyed streams (the last one kept). `load` empties it once flattened. */
  records: BufferedRecord[];
  /** Full-table version the records belong to: they go to that version's staging tables. */
  version?: number;
}

/** A load failed: names the stream, the table and the batch's first input line. Nothing of the batch was applied. */
export class LoadError extends Error {
  constructor(stream: string, table: string, line: number, cause: string) {
    super(`stream ${JSON.stringify(stream)}: table ${JSON.stringify(table)}: batch starting at line ${line}: ${cause}`);
    this.name = 'LoadError';
  }
}

/** Name of the staging table holding version `version` of `table` until its ACTIVATE_VERSION. */
export function versionTable(table: string, version: number, maxBytes: number): string {
  return shortenIdentifier(`_sdc_v${version}_${table}`, maxBytes);
}

/**
 * Applies batches to the warehouse. Each batch is one transaction: its rows go to session temp tables,
 * then (merge) the matching root rows and all their child rows are deleted and the new rows inserted.
 * Only varchar widenings run before the transaction (Redshift refuses them inside one; they change no data).
 */
export class BatchLoader {
  private catalog = new Map<string, Map<string, ColumnType>>();
  /** Longest identifier the warehouse keeps: Redshift's 127 bytes, or less when the server says so (PostgreSQL: 63). */
  maxIdentifierBytes = MAX_IDENTIFIER_BYTES;

  constructor(
    private readonly warehouse: Warehouse,
    private readonly dialect: Dialect,
    private readonly config: TargetConfig,
    private readonly log: Logger,
    private readonly stager?: S3Stager,
  ) {}

  /** Creates the schema and reads the columns of its tables. */
  async init(): Promise<void> {
    await this.warehouse.query(this.dialect.createSchema(this.config.schema));
    this.maxIdentifierBytes = Math.min(MAX_IDENTIFIER_BYTES, await this.serverIdentifierLimit());
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

  /**
   * Loads one batch in one transaction. Empties `batch.records` once they are flattened, and each table's
   * rows once they are sent, so a batch's memory is freed while its statements run (the next batch fills meanwhile).
   */
  async load(batch: Batch): Promise<void> {
    const { plan } = batch;
    const target = (name: string) => (batch.version === undefined ? name : versionTable(name, batch.version, this.maxIdentifierBytes));
    if (batch.version !== undefined) await this.dropAbandonedVersions(plan, batch.version);

    const flattener = new RecordFlattener(plan);
    const rows: Row[][] = plan.tables.map(() => []);
    const keyed = plan.keyProperties.length > 0;
    const rowIds = keyed ? undefined : new RowIdAssigner(plan.stream);
    // Deduplication reorders keyed records, so the batch's first line is the smallest one.
    let firstLine = Number.POSITIVE_INFINITY;
    for (const { record, metadata, line } of batch.records) {
      if (line < firstLine) firstLine = line;
      const rowId = rowIds?.next(record);
      const deleted = this.config.hard_delete && record._sdc_deleted_at !== undefined && record._sdc_deleted_at !== null;
      // A hard-deleted record only needs its root row: its key drives the delete, and it is not inserted.
      flattener.flatten(deleted ? keyOnly(plan, record) : record, { rowId, metadata }, rows);
    }
    batch.records = [];

    const layouts: TableLayout[] = [];
    for (let t = 0; t < plan.tables.length; t++) {
      try {
        layouts.push(layoutTable({ ...plan.tables[t], name: target(plan.tables[t].name) }, this.catalog.get(target(plan.tables[t].name)), rows[t], this.maxIdentifierBytes));
      } catch (error) {
        if (!(error instanceof LayoutError)) throw error;
        const row = rows[t][error.rowIndex];
        const keyCells = t === 0 ? plan.keyColumns.map((k) => row[plan.tables[0].columns.findIndex((c) => c.name === k)]) : row.slice(0, plan.sourceKeyColumns.length);
        throw new LoadError(plan.stream, plan.tables[t].name, firstLine, `record with key ${serializeJson(keyCells)}: column ${JSON.stringify(error.column)}: ${error.problem}`);
      }
    }
    rows.length = 0;

    let table = layouts[0].table;
    const staged: string[] = [];
    try {
      await applyLayouts(this.warehouse, this.dialect, this.config.schema, layouts, (name) => (table = name));
      if (!keyed && !this.config.hard_delete) {
        // Append: nothing to match or filter, so rows go straight into their tables.
        for (const layout of layouts) {
          table = layout.table;
          if (layout.rows.length > 0) staged.push(...(await this.copyRows(this.dialect.table(this.config.schema, layout.table), layout)));
          layout.rows = [];
        }
      } else {
        await this.mergeThroughTemps(plan, layouts, staged, (name) => (table = name));
      }
      await this.warehouse.query('COMMIT');
    } catch (error) {
      await this.rollback();
      throw new LoadError(plan.stream, table, firstLine, (error as Error).message);
    }
    for (const layout of layouts) {
      const columns = new Map(this.catalog.get(layout.table) ?? []);
      for (const c of layout.columns) columns.set(c.name, c.type);
      this.catalog.set(layout.table, columns);
    }
    if (this.stager && staged.length > 0) await this.stager.remove(staged).catch((error) => this.log.warn('could not remove staged files', { error }));
  }

  /**
   * Merge (and hard deletes): rows go to session temp tables; the root rows matching their keys and all
   * their child rows are deleted; then the rows are inserted (a hard-deleted record's root row only drives
   * the delete). Runs inside the batch's transaction.
   */
  private async mergeThroughTemps(plan: StreamPlan, layouts: TableLayout[], staged: string[], at: (table: string) => void): Promise<void> {
    const schema = this.config.schema;
    const temps = layouts.map((_, t) => `_sdc_stage_${t}`);
    const filled = layouts.map((layout) => layout.rows.length > 0);
    for (let t = 0; t < layouts.length; t++) {
      at(layouts[t].table);
      await this.warehouse.query(this.dialect.createTemp(temps[t], schema, layouts[t].table));
      if (filled[t]) staged.push(...(await this.copyRows(this.dialect.quote(temps[t]), layouts[t])));
      layouts[t].rows = [];
    }
    if (plan.keyProperties.length > 0) {
      // Children first, matched through the root temp table: a record's old child rows all go, even when it now has fewer.
      for (let t = 1; t < layouts.length; t++) {
        at(layouts[t].table);
        await this.warehouse.query(this.dialect.deleteUsing(schema, layouts[t].table, temps[0], plan.sourceKeyColumns.map((s, i) => [s, plan.keyColumns[i]])));
      }
      at(layouts[0].table);
      await this.warehouse.query(this.dialect.deleteUsing(schema, layouts[0].table, temps[0], plan.keyColumns.map((k) => [k, k])));
    }
    // With hard_delete every plan has `_sdc_deleted_at` (see PlanOptions.deletedAtColumn).
    const hardDeleteColumn = this.config.hard_delete ? '_sdc_deleted_at' : undefined;
    for (let t = 0; t < layouts.length; t++) {
      if (!filled[t]) continue;
      at(layouts[t].table);
      await this.warehouse.query(this.dialect.insertFromTemp(schema, layouts[t].table, temps[t], layouts[t].columns.map((c) => c.name), t === 0 ? hardDeleteColumn : undefined));
    }
    for (const temp of temps) await this.warehouse.query(this.dialect.dropTemp(temp));
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
  private async copyRows(target: string, layout: TableLayout): Promise<string[]> {
    const columns = layout.columns.map((c) => c.name);
    const json = layout.columns.map((c) => c.type.kind === 'json');
    if (this.dialect.copyFromStdin) {
      await this.warehouse.copyFromStdin(this.dialect.copyFromStdin(target, columns), csvChunks(layout.rows, { json }));
      return [];
    }
    if (this.stager && this.dialect.copyFromS3 && this.config.s3?.iam_role) {
      const { url, keys } = await this.stager.stage(layout.table, layout.rows, json);
      await this.warehouse.query(this.dialect.copyFromS3(target, columns, url, this.config.s3.iam_role, this.config.s3.region));
      return keys;
    }
    for (const sql of this.dialect.insertValues(target, layout.columns, layout.rows, MAX_INSERT_BYTES)) await this.warehouse.query(sql);
    return [];
  }

  /**
   * Swaps a stream's version staging tables in as its tables, in ONE transaction: readers see the old
   * tables or the new ones, never a missing or partial one. A child table the new version has no rows
   * for is emptied in the same transaction. Does nothing when no staging table of `version` exists.
   */
  async activate(plan: StreamPlan, version: number): Promise<boolean> {
    const names = plan.tables.map((t) => t.name);
    if (!this.catalog.has(versionTable(names[0], version, this.maxIdentifierBytes))) return false;
    let table = names[0];
    try {
      await this.warehouse.query('BEGIN');
      for (const name of names) {
        table = name;
        const staging = versionTable(name, version, this.maxIdentifierBytes);
        const old = shortenIdentifier(`_sdc_old_${version}_${name}`, this.maxIdentifierBytes);
        if (this.catalog.has(staging)) {
          if (this.catalog.has(name)) await this.warehouse.query(this.dialect.renameTable(this.config.schema, name, old));
          await this.warehouse.query(this.dialect.renameTable(this.config.schema, staging, name));
          if (this.catalog.has(name)) await this.warehouse.query(this.dialect.dropTable(this.config.schema, old));
        } else if (this.catalog.has(name)) {
          await this.warehouse.query(this.dialect.deleteAll(this.config.schema, name));
        }
      }
      await this.warehouse.query('COMMIT');
    } catch (error) {
      await this.rollback();
      throw new LoadError(plan.stream, table, 0, `ACTIVATE_VERSION ${version}: ${(error as Error).message}`);
    }
    await this.refreshCatalog();
    return true;
  }

  /** Drops staging tables of other versions of the stream: a full refresh that never finished (the tap died). */
  private async dropAbandonedVersions(plan: StreamPlan, version: number): Promise<void> {
    const names = new Set(plan.tables.map((t) => t.name));
    let dropped = false;
    for (const table of this.catalog.keys()) {
      const m = /^_sdc_v(\d+)_(.+)$/.exec(table);
      if (m && names.has(m[2]) && Number(m[1]) !== version) {
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
