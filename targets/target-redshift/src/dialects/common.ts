import { shortHash, type ColumnChange, type ColumnType } from '@observes/target-core';
import type { Dialect, TableKeys, TypedColumn } from './dialect.js';
import { quoteIdent } from './sql-text.js';

// SQL both dialects spell the same way. Each dialect file lists what differs.

/** A column type in SQL; the dialects differ only in how json values are stored (`jsonType`). */
export function columnTypeSql(type: ColumnType, jsonType: string): string {
  switch (type.kind) {
    case 'boolean':
      return 'boolean';
    case 'bigint':
      return 'bigint';
    case 'double':
      return 'double precision';
    case 'decimal':
      return `numeric(${type.precision},${type.scale})`;
    case 'string':
      return `varchar(${type.bytes})`;
    case 'timestamp':
      return 'timestamptz';
    case 'date':
      return 'date';
    case 'time':
      return 'time';
    case 'json':
      return jsonType;
    case 'other':
      return type.sql;
  }
}

export const table = (schema: string, name: string): string => `${quoteIdent(schema)}.${quoteIdent(name)}`;

export const createSchema = (schema: string): string => `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`;

export function createTable(columnType: (c: TypedColumn['type']) => string, schema: string, name: string, columns: TypedColumn[], attributes = ''): string {
  return `CREATE TABLE ${table(schema, name)} (${columns.map((c) => `${quoteIdent(c.name)} ${columnType(c.type)}`).join(', ')})${attributes}`;
}

/** Redshift's table attributes for `keys`: ` DISTKEY("a") SORTKEY("a", "b")` (empty when there are none). */
export function redshiftTableAttributes(keys: TableKeys | undefined): string {
  if (!keys) return '';
  return `${keys.dist ? ` DISTSTYLE KEY DISTKEY(${quoteIdent(keys.dist)})` : ''}${keys.sort.length > 0 ? ` COMPOUND SORTKEY(${keys.sort.map(quoteIdent).join(', ')})` : ''}`;
}

export const addColumn = (columnType: (c: TypedColumn['type']) => string, schema: string, name: string, column: TypedColumn): string =>
  `ALTER TABLE ${table(schema, name)} ADD COLUMN ${quoteIdent(column.name)} ${columnType(column.type)}`;

/**
 * Widening by copy: add a column of the new type, copy, drop the old one, rename (all transactional). The
 * temporary column is named from a hash of the column's name under the target's reserved `_sdc_` prefix.
 */
export function widenByCopy(columnType: (c: TypedColumn['type']) => string, schema: string, name: string, change: ColumnChange): string[] {
  const t = table(schema, name);
  const tmp = `_sdc_widening_${shortHash(change.name)}`;
  return [
    `ALTER TABLE ${t} ADD COLUMN ${quoteIdent(tmp)} ${columnType(change.to)}`,
    `UPDATE ${t} SET ${quoteIdent(tmp)} = ${quoteIdent(change.name)}`,
    `ALTER TABLE ${t} DROP COLUMN ${quoteIdent(change.name)}`,
    `ALTER TABLE ${t} RENAME COLUMN ${quoteIdent(tmp)} TO ${quoteIdent(change.name)}`,
  ];
}

export const createTemp = (temp: string, schema: string, name: string): string => `CREATE TEMP TABLE ${quoteIdent(temp)} (LIKE ${table(schema, name)})`;
export const dropTemp = (temp: string): string => `DROP TABLE ${quoteIdent(temp)}`;
export const dropTable = (schema: string, name: string): string => `DROP TABLE ${table(schema, name)}`;
export const renameTable = (schema: string, from: string, to: string): string => `ALTER TABLE ${table(schema, from)} RENAME TO ${quoteIdent(to)}`;
export const deleteAll = (schema: string, name: string): string => `DELETE FROM ${table(schema, name)}`;

export function deleteUsing(schema: string, name: string, temp: string, pairs: Array<[string, string]>, range = false): string {
  const t = table(schema, name);
  const tmp = quoteIdent(temp);
  const on = pairs.map(([a, b]) => `${t}.${quoteIdent(a)} = ${tmp}.${quoteIdent(b)}`).join(' AND ');
  if (!range || pairs.length === 0) return `DELETE FROM ${t} USING ${tmp} WHERE ${on}`;
  const [a, b] = pairs[0].map(quoteIdent);
  return `DELETE FROM ${t} USING ${tmp} WHERE ${on} AND ${t}.${a} >= (SELECT min(${b}) FROM ${tmp}) AND ${t}.${a} <= (SELECT max(${b}) FROM ${tmp})`;
}

export function copyTable(schema: string, from: string, to: string, pairs: Array<[string, string]>): string {
  return `INSERT INTO ${table(schema, to)} (${pairs.map(([t]) => quoteIdent(t)).join(', ')}) SELECT ${pairs.map(([, f]) => quoteIdent(f)).join(', ')} FROM ${table(schema, from)}`;
}

export function deleteLegacyChildren(
  schema: string,
  childName: string,
  rootName: string,
  temp: string,
  keys: Array<[string, string]>,
  current: string[],
  legacy: Array<[string, string]>,
): string {
  const c = table(schema, childName);
  const r = table(schema, rootName);
  const t = quoteIdent(temp);
  const conditions = [
    ...keys.map(([root, tmp]) => `${r}.${quoteIdent(root)} = ${t}.${quoteIdent(tmp)}`),
    ...current.map((col) => `${c}.${quoteIdent(col)} IS NULL`),
    `(${legacy.map(([col]) => `${c}.${quoteIdent(col)} IS NOT NULL`).join(' OR ')})`,
    ...legacy.map(([col, root]) => `(${c}.${quoteIdent(col)} IS NULL OR ${c}.${quoteIdent(col)} = ${r}.${quoteIdent(root)})`),
  ];
  return `DELETE FROM ${c} USING ${r}, ${t} WHERE ${conditions.join(' AND ')}`;
}

export function insertFromTemp(schema: string, name: string, temp: string, columns: string[], onlyNull?: string): string {
  const cols = columns.map(quoteIdent).join(', ');
  return `INSERT INTO ${table(schema, name)} (${cols}) SELECT ${cols} FROM ${quoteIdent(temp)}${onlyNull ? ` WHERE ${quoteIdent(onlyNull)} IS NULL` : ''}`;
}

export const listColumns = (): string =>
  'SELECT table_name, column_name, data_type, character_maximum_length, numeric_precision, numeric_scale FROM information_schema.columns WHERE table_schema = $1 ORDER BY table_name, ordinal_position';

/**
 * Splits literal rows into INSERT statements of at most `maxBytes` of UTF-8 (a statement holds at least one row).
 * Lazily: each statement is built when the caller asks for the next one, so it can be built while the server
 * runs the one before, and only two are alive at a time.
 */
export function* insertValues(
  target: string,
  columns: TypedColumn[],
  rows: unknown[][],
  maxBytes: number,
  rowLiteral: (row: unknown[]) => string,
): Generator<string> {
  const head = `INSERT INTO ${target} (${columns.map((c) => quoteIdent(c.name)).join(', ')}) VALUES `;
  const headBytes = Buffer.byteLength(head);
  let parts: string[] = [];
  let size = headBytes;
  for (const row of rows) {
    const text = rowLiteral(row);
    const bytes = Buffer.byteLength(text);
    if (parts.length > 0 && size + bytes + 2 > maxBytes) {
      yield head + parts.join(', ');
      parts = [];
      size = headBytes;
    }
    parts.push(text);
    size += bytes + 2;
  }
  if (parts.length > 0) yield head + parts.join(', ');
}

/** `ALTER COLUMN ... TYPE`: an in-place type change (transactional in PostgreSQL; in Redshift only a varchar widening, outside a transaction block). */
export const alterColumnType = (columnType: (c: ColumnType) => string, schema: string, name: string, change: ColumnChange): string =>
  `ALTER TABLE ${table(schema, name)} ALTER COLUMN ${quoteIdent(change.name)} TYPE ${columnType(change.to)}`;

/** The members both dialects spell the same way, given the one place their types differ: how json is stored. */
export function sharedDialect(jsonType: string) {
  const columnType = (type: ColumnType): string => columnTypeSql(type, jsonType);
  return {
    columnType,
    quote: quoteIdent,
    table,
    createSchema,
    createTable: (schema: string, name: string, columns: TypedColumn[]) => createTable(columnType, schema, name, columns),
    addColumn: (schema: string, name: string, column: TypedColumn) => addColumn(columnType, schema, name, column),
    createTemp,
    dropTemp,
    dropTable,
    renameTable,
    deleteUsing,
    deleteAll,
    insertFromTemp,
    copyTable,
    deleteLegacyChildren,
    listColumns,
  } satisfies Partial<Dialect>;
}
