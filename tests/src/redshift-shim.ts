import type { TestDatabase } from './postgres-harness.js';

/** Options of {@link applyRedshiftShim}. */
export interface RedshiftShimOptions {
  /**
   * Leave PostgreSQL's `standard_conforming_strings = on` instead of setting Redshift's `off` (backslash
   * escapes in literals), to test that the target reads the setting rather than assuming it. Default false.
   */
  standardConformingStrings?: boolean;
}

/**
 * PostgreSQL lacks Redshift's SUPER and JSON_PARSE and reads backslashes in literals literally: this
 * shim lets target-redshift's redshift dialect run unchanged against a test database (never a real
 * warehouse). The dialect's own tests still check that its SQL uses nothing Redshift lacks.
 */
export async function applyRedshiftShim(db: TestDatabase, options: RedshiftShimOptions = {}): Promise<void> {
  await db.query('CREATE DOMAIN super AS jsonb');
  await db.query("CREATE FUNCTION json_parse(text) RETURNS jsonb AS 'SELECT $1::jsonb' LANGUAGE sql IMMUTABLE");
  if (options.standardConformingStrings) return;
  await db.query(`ALTER DATABASE "${db.name}" SET standard_conforming_strings = off`);
  await db.query(`ALTER DATABASE "${db.name}" SET escape_string_warning = off`);
}
