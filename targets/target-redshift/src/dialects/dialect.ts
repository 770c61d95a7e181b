import type { ColumnChange, ColumnType, WarehouseLimits } from '@observes/target-core';

/** A column with its type. */
export interface TypedColumn {
  name: string;
  type: ColumnType;
}

/** Statements that widen one column, and whether they may run inside a transaction block. */
export interface WidenStatements {
  statements: string[];
  /** False for Redshift's varchar `ALTER COLUMN ... TYPE`, which refuses to run in a transaction block. */
  inTransaction: boolean;
}

/** What the loader reads from the server at connect that changes how SQL must be spelled. */
export interface ServerSettings {
  /** `SHOW standard_conforming_strings` is `on`: backslashes in string literals are literal (else they escape). */
  standardConformingStrings: boolean;
  /**
   * The server is Amazon Redshift itself (its `version()` says so), not PostgreSQL under the test shim: only then
   * does the redshift dialect spell `DISTKEY`/`SORTKEY` (PostgreSQL cannot parse them). Default false.
   */
  redshift?: boolean;
}

/**
 * Physical layout of a keyed table, chosen by the `sort_key` and `dist_key` settings (see `table-keys.ts`):
 * Redshift's `SORTKEY` and `DISTKEY`; in PostgreSQL a BRIN index on the first sort column (its zone maps).
 */
export interface TableKeys {
  /** Columns to sort by (compound), the key columns of the row; empty: none. */
  sort: string[];
  /** Column to distribute by; undefined: the server's default (Redshift `AUTO`). */
  dist?: string;
}

/**
 * The SQL a warehouse speaks. Pure text generation: every method returns statements, nothing runs here,
 * so each dialect is golden-tested for the exact SQL and then run against the real database.
 * Names passed in are already identifiers (see target-core); they are still quoted.
 * String literals depend on the server's `standard_conforming_strings`: use {@link Dialect.forServer}
 * with what the server says (`redshiftDialect` assumes Redshift's off, `postgresDialect` PostgreSQL's on).
 */
export interface Dialect {
  /** Its key in `DIALECTS`. */
  readonly name: string;
  /** The settings this dialect spells literals for. */
  readonly settings: ServerSettings;
  /** The same dialect for a server with these settings (read at connect). */
  forServer(settings: ServerSettings): Dialect;
  /** The column type spelled in this dialect. */
  columnType(type: ColumnType): string;
  /** `"name"` with quotes doubled. */
  quote(name: string): string;
  /** `"schema"."table"`. */
  table(schema: string, table: string): string;
  createSchema(schema: string): string;
  /** `CREATE TABLE`; with `keys`, Redshift spells its `DISTKEY`/`SORTKEY` (on a Redshift server, see {@link ServerSettings.redshift}). */
  createTable(schema: string, table: string, columns: TypedColumn[], keys?: TableKeys): string;
  /** Statements run right after {@link Dialect.createTable} for a table with `keys` (PostgreSQL: a BRIN index on the first sort column). */
  afterCreate?(schema: string, table: string, keys: TableKeys): string[];
  /**
   * `ANALYZE` of a table (`qualified`: quoted, possibly with its schema), so the planner knows a staged temp table's
   * size before the merge's `DELETE ... USING` (PostgreSQL; Redshift's COPY into an empty table analyzes it itself).
   */
  analyze?(qualified: string): string;
  /**
   * A query (parameters: schema, table) that brings a table's sort-key index up to date with the rows just written,
   * run after the merge's inserts: PostgreSQL's BRIN summarizes new block ranges only on VACUUM (autovacuum may be
   * off, and is behind), and an unsummarized range matches every key, so the merge's bounded DELETE would read the
   * whole table. Redshift keeps its zone maps itself.
   */
  summarizeSortKey?: string;
  addColumn(schema: string, table: string, column: TypedColumn): string;
  widenColumn(schema: string, table: string, change: ColumnChange): WidenStatements;
  /** A session-local staging table shaped like `schema.table`, dropped by {@link Dialect.dropTemp} before commit. */
  createTemp(temp: string, schema: string, table: string): string;
  dropTemp(temp: string): string;
  dropTable(schema: string, table: string): string;
  renameTable(schema: string, from: string, to: string): string;
  /**
   * Deletes the rows of `schema.table` whose `pairs[i][0]` columns equal the temp table's `pairs[i][1]` columns.
   * With `range`, the first pair is also bounded by the temp table's min and max (implied by the equality, so
   * the same rows): a sort key's zone maps (Redshift) or a BRIN index (PostgreSQL) then skip the blocks outside
   * it instead of scanning the whole table. Only for columns with an ordering (not boolean, not json).
   */
  deleteUsing(schema: string, table: string, temp: string, pairs: Array<[string, string]>, range?: boolean): string;
  deleteAll(schema: string, table: string): string;
  /** Copies the temp table's rows into `schema.table`, optionally only those where `onlyNull` column is null. */
  insertFromTemp(schema: string, table: string, temp: string, columns: string[], onlyNull?: string): string;
  /** Copies every row of `schema.from` into `schema.to`: `pairs[i][0]` of `to` takes `pairs[i][1]` of `from`. */
  copyTable(schema: string, from: string, to: string, pairs: Array<[string, string]>): string;
  /**
   * Deletes the child rows written under an earlier key of the stream (see `BatchLoader`): rows of `child` whose
   * current source-key columns are all null, whose `legacy` source-key columns (`[child column, root column]`)
   * are not all null and each null or equal to the root's column, for root rows matching the temp table by `keys`
   * (`[root column, temp column]`).
   */
  deleteLegacyChildren(
    schema: string,
    child: string,
    root: string,
    temp: string,
    keys: Array<[string, string]>,
    current: string[],
    legacy: Array<[string, string]>,
  ): string;
  /** Multi-row INSERTs of literal rows into a (temp) table, each statement under `maxBytes`; built one at a time as they are iterated. */
  insertValues(target: string, columns: TypedColumn[], rows: unknown[][], maxBytes: number): Iterable<string>;
  /** `COPY ... FROM STDIN` of CSV rows (postgres only); `format` default {@link TARGET_S3_CSV}. */
  copyFromStdin?(target: string, columns: string[], format?: CsvFileFormat): string;
  /** `COPY ... FROM 's3://...'` of CSV files under a prefix (redshift only); `format` default {@link TARGET_S3_CSV}. */
  copyFromS3?(target: string, columns: string[], url: string, iamRole: string, region: string, format?: CsvFileFormat): string;
  /**
   * Locks `schema.table` for the rest of the transaction against other writers, not readers: the target's
   * write transactions all take the lock of the schema's `_sdc_state` table first, so two writers of a schema
   * run one after the other (a merge's child DELETE then sees the rows another writer committed).
   */
  lockWriters(schema: string, table: string): string;
  /** Query returning `table_name, column_name, data_type, character_maximum_length, numeric_precision, numeric_scale` for a schema. */
  listColumns(): string;
}

/** How a CSV file to COPY is written. */
export interface CsvFileFormat {
  /** gzip-compressed (Redshift reads it by `GZIP`; the streamed download is gunzipped first). */
  gzip: boolean;
  /** Its first line names the columns (and is skipped). */
  header: boolean;
  /** An unquoted `\N` is NULL (target-s3's files, which quote empty strings); false: an empty field is NULL. */
  nullMarker: boolean;
}

/** The CSV target-s3 writes (and target-redshift stages): gzip, no header row, NULL as `\N`. */
export const TARGET_S3_CSV: CsvFileFormat = { gzip: true, header: false, nullMarker: true };

/** How a dialect can load rows. */
export type LoadMethod = 'insert' | 'copy-stdin' | 'copy-s3';

/**
 * What a warehouse allows and can do, as data: the pure core plans within its limits (identifier bytes,
 * widest varchar, columns), and the loader picks statements by the rest.
 */
export interface DialectCapabilities extends WarehouseLimits {
  /** The SQL type json values are stored in. */
  jsonType: string;
  /** Whether a varchar widening (`ALTER COLUMN ... TYPE`) can run inside a transaction block (Redshift: no). */
  varcharWideningInTransaction: boolean;
  /** How rows can be loaded, preferred first (`copy-s3` needs `s3.iam_role`); multi-row INSERT is the fallback. */
  loadMethods: readonly LoadMethod[];
}

/** A catalog row's type, as the dialect's `listColumns` query reports it. */
export interface CatalogType {
  data_type: string;
  character_maximum_length: number | string | null;
  numeric_precision: number | string | null;
  numeric_scale: number | string | null;
}

/** Runs one statement on the warehouse. */
export type ServerQuery = (sql: string) => Promise<Record<string, unknown>[]>;

/** What the dialect reads from a server it connects to. */
export interface ServerFacts extends ServerSettings {
  /** Longest identifier the server keeps (at most the dialect's `identifierBytes`). */
  identifierBytes: number;
}

/**
 * One dialect, registered in `DIALECTS` (see `registry.ts`): its capabilities, its SQL, its introspection
 * (both type directions: `sql().columnType` writes a type, {@link DialectDefinition.columnTypeOf} reads one)
 * and its connection (which servers it recognises, what it reads from them). A dialect is one folder under
 * `dialects/` exporting one of these, one entry in `DIALECTS` and one golden file in `test-fixtures/sql/`.
 */
export interface DialectDefinition {
  /** Its key in `DIALECTS` (the `dialect` setting). */
  readonly name: string;
  /** What its servers are called in messages (`Amazon Redshift`). */
  readonly server: string;
  readonly capabilities: DialectCapabilities;
  /** Its SQL for a server with these settings. */
  sql(settings: ServerSettings): Dialect;
  /** Its SQL for the settings its warehouse has by default (before the server is asked). */
  readonly defaultSql: Dialect;
  /** Introspection: the column type of an existing column (`other` for a type the target does not create). */
  columnTypeOf(row: CatalogType): ColumnType;
  /** Connection: whether a server whose `version()` says this is its own warehouse. */
  identifies(version: string): boolean;
  /** Connection: whether a server that is another warehouse can still run this dialect's SQL (default: no). */
  runsOn?(query: ServerQuery): Promise<boolean>;
  /** Connection: reads what changes how SQL must be spelled and how long identifiers may be. */
  readServer(query: ServerQuery): Promise<ServerFacts>;
}
