import type { TestDatabase } from './postgres-harness.js';

/**
 * PostgreSQL lacks Redshift's SUPER and JSON_PARSE and reads backslashes in literals literally: this
 * shim lets target-redshift's redshift dialect run unchanged against a test database (never a real
 * warehouse). The dialect's own tests still check that its SQL uses nothing Redshift lacks.
 */
export async function applyRedshiftShim(db: TestDatabase): Promise<void> {
  await db.query('CREATE DOMAIN super AS jsonb');
  await db.query("CREATE FUNCTION json_parse(text) RETURNS jsonb AS 'SELECT $1::jsonb' LANGUAGE sql IMMUTABLE");
  await db.query(`ALTER DATABASE "${db.name}" SET standard_conforming_strings = off`);
  await db.query(`ALTER DATABASE "${db.name}" SET escape_string_warning = off`);
}
