import { isExactNumber, serializeJson } from '@observes/protocol';
import { plainDecimal, type ColumnType } from '@observes/target-core';

/** Quotes an identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * A string literal. With `standard_conforming_strings` off (Redshift, and PostgreSQL configured so), the server
 * reads backslashes in literals as escapes, so they are doubled; with it on, they are literal. The loader reads
 * the setting at connect (see `Dialect.forServer`), so values are stored exactly either way.
 * NUL characters cannot be stored by either warehouse and are refused before any SQL is written.
 */
export function quoteLiteral(text: string, backslashEscapes: boolean): string {
  let t = text.replace(/'/g, "''");
  if (backslashEscapes) t = t.replace(/\\/g, '\\\\');
  return `'${t}'`;
}

/** A value as a SQL literal for a column of `type`. */
export function literal(value: unknown, type: ColumnType, backslashEscapes: boolean, jsonFunction: string): string {
  if (value === null || value === undefined) return 'NULL';
  // Every value of a json column goes through the JSON parser, scalars too: a bare 5 or 'abc' is not SUPER/jsonb.
  if (type.kind === 'json') return `${jsonFunction}(${quoteLiteral(serializeJson(value), backslashEscapes)})`;
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'number') return type.kind === 'string' ? quoteLiteral(String(value), backslashEscapes) : plainDecimal(String(value));
  if (isExactNumber(value)) return type.kind === 'string' ? quoteLiteral(value.value, backslashEscapes) : plainDecimal(value.value);
  return quoteLiteral(typeof value === 'string' ? value : serializeJson(value), backslashEscapes);
}
