import { serializeJson } from '@observes/protocol';
import { toIdentifier } from '@observes/target-core';
import type { TestDatabase } from '@observes/testkit/postgres-harness';
import { targetSuite } from '@observes/testkit';
import { BIN, databaseFor } from './testing/test-support.js';

// The standard target suite, once per dialect, each canonical stream in its own schema of one database.
for (const dialect of ['postgres', 'redshift'] as const) {
  let db: TestDatabase | undefined;
  let counter = 0;
  const database = async () => (db ??= await databaseFor(dialect));
  after(async () => {
    await db?.drop();
    db = undefined;
  });

  targetSuite({
    name: `target-redshift (${dialect} dialect)`,
    bin: BIN,
    capabilities: { mergesByKey: true, flattens: true, activatesVersions: true },
    async setup() {
      const d = await database();
      const schema = `suite_${++counter}`;
      const exists = async (table: string) =>
        (await d.query('SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2', [schema, table])).length > 0;
      return {
        config: { url: d.url, dialect, schema, batch_size_rows: 3 },
        async rows(table) {
          const name = toIdentifier(table);
          if (!(await exists(name))) return [];
          const rows = await d.query(`SELECT * FROM "${schema}"."${name}"`);
          // json/SUPER columns come back parsed: compare them as their JSON text.
          return rows.map((row) =>
            Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v !== null && typeof v === 'object' && !(v instanceof Date) ? serializeJson(v) : v])),
          );
        },
        async tables() {
          return (await d.query("SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name <> '_sdc_state'", [schema])).map((r) =>
            String(r.table_name),
          );
        },
        async teardown() {
          await d.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        },
      };
    },
  });
}
