import type { ColumnType } from '@observes/target-core';
import type { CatalogType, ServerFacts, ServerQuery } from './dialect.js';

/**
 * The column type of an existing column as `information_schema.columns` reports it, for dialects built on
 * PostgreSQL's catalog. `jsonTypes`: the types that hold json (the PostgreSQL test shim declares SUPER as a
 * domain over jsonb, and information_schema reports the base type).
 */
export function informationSchemaType(row: CatalogType, jsonTypes: readonly string[]): ColumnType {
  if (jsonTypes.includes(row.data_type)) return { kind: 'json' };
  switch (row.data_type) {
    case 'boolean':
      return { kind: 'boolean' };
    case 'bigint':
      return { kind: 'bigint' };
    case 'double precision':
      return { kind: 'double' };
    case 'numeric':
      return { kind: 'decimal', precision: Number(row.numeric_precision ?? 38), scale: Number(row.numeric_scale ?? 0) };
    case 'character varying':
      return { kind: 'string', bytes: Number(row.character_maximum_length ?? 256) };
    case 'timestamp with time zone':
      return { kind: 'timestamp' };
    case 'date':
      return { kind: 'date' };
    case 'time without time zone':
      return { kind: 'time' };
    default:
      return { kind: 'other', sql: row.data_type };
  }
}

/**
 * What a PostgreSQL-protocol server says about itself: `standard_conforming_strings` (a server without the
 * setting escapes with backslashes, as Redshift does) and `max_identifier_length` (Redshift has no such
 * setting: the dialect's `identifierBytes` applies), capped at the dialect's own identifier limit, and whether it is Redshift
 * itself (`version()`).
 */
export async function readPostgresSettings(query: ServerQuery, identifierBytes: number): Promise<ServerFacts> {
  let limit = identifierBytes;
  try {
    const rows = await query("SELECT current_setting('max_identifier_length') AS n");
    const n = Number(rows[0]?.n);
    if (Number.isInteger(n) && n > 0) limit = Math.min(identifierBytes, n);
  } catch {
    limit = identifierBytes;
  }
  let standardConformingStrings: boolean;
  try {
    const rows = await query('SHOW standard_conforming_strings');
    standardConformingStrings = String(Object.values(rows[0] ?? {})[0]).toLowerCase() === 'on';
  } catch {
    standardConformingStrings = false;
  }
  // Only Amazon Redshift itself (not PostgreSQL under the test shim) parses DISTKEY/SORTKEY: it names itself in version().
  let redshift: boolean;
  try {
    redshift = /redshift/i.test(String((await query('SELECT version() AS version'))[0]?.version ?? ''));
  } catch {
    redshift = false;
  }
  return { standardConformingStrings, redshift, identifierBytes: limit };
}
