import type { Logger } from '@observes/protocol';
import { MAX_VARCHAR_BYTES, layoutTable, type ColumnChange, type S3ManifestFile, type StreamPlan, type TablePlan } from '@observes/target-core';
import type { BatchLoader } from './batch-loader.js';
import type { TargetConfig } from './config.js';
import type { Dialect } from './dialects/dialect.js';
import type { Warehouse } from './warehouse.js';
import { applyLayouts, prepareLayouts } from './apply-layouts.js';

/** Streams the gunzipped text of a file (postgres dialect: the rows go through COPY FROM STDIN). */
export type FileReader = (file: S3ManifestFile) => AsyncIterable<Buffer>;

/**
 * Loads files of flattened rows (target-s3's `csv.gz`) into a stream's tables in ONE transaction: the
 * redshift dialect COPYs each file straight from S3, the postgres dialect streams it through COPY FROM STDIN.
 * `replace` empties every table of the stream in the same transaction (readers see the old rows or the new);
 * otherwise rows merge by key like a batch. The values are not seen before the COPY, so string columns are
 * made varchar(65535) (Redshift stores them compressed; only the declared size grows).
 */
export async function loadCsvFiles(
  loader: BatchLoader,
  warehouse: Warehouse,
  dialect: Dialect,
  config: TargetConfig,
  log: Logger,
  plan: StreamPlan,
  files: S3ManifestFile[],
  replace: boolean,
  read: FileReader,
): Promise<void> {
  const schema = config.schema;
  const wide = (table: TablePlan): TablePlan => ({
    ...table,
    columns: table.columns.map((c) => (c.type.kind === 'string' ? { ...c, type: { kind: 'string', bytes: MAX_VARCHAR_BYTES } } : c)),
  });
  const layouts = plan.tables.map((t) => {
    const existing = loader.columnsOf(t.name);
    const layout = layoutTable(wide(t), existing, [], loader.maxIdentifierBytes);
    const widen: ColumnChange[] = [];
    for (const c of wide(t).columns) {
      const now = existing?.get(c.name);
      if (now?.kind === 'string' && c.type.kind === 'string' && now.bytes < c.type.bytes) widen.push({ name: c.name, from: now, to: c.type });
    }
    return { ...layout, widen };
  });
  const byTable = new Map(plan.tables.map((t, i) => [t.name, i]));
  for (const file of files) {
    if (!byTable.has(file.table)) throw new Error(`stream ${JSON.stringify(plan.stream)}: file ${file.url} holds table ${JSON.stringify(file.table)}, which its schema does not make`);
    const layout = layouts[byTable.get(file.table)!];
    const unknown = file.columns.filter((c) => !layout.columns.some((l) => l.name === c));
    if (unknown.length > 0) throw new Error(`stream ${JSON.stringify(plan.stream)}: file ${file.url} has columns its schema does not make: ${unknown.join(', ')}`);
  }

  let table = plan.tables[0].name;
  try {
    await prepareLayouts(warehouse, dialect, schema, layouts, (name) => (table = name));
    await warehouse.query('BEGIN');
    await applyLayouts(warehouse, dialect, schema, layouts, (name) => (table = name));
    const temps = layouts.map((_, i) => `_sdc_stage_${i}`);
    for (let i = 0; i < layouts.length; i++) await warehouse.query(dialect.createTemp(temps[i], schema, layouts[i].table));
    const loaded = layouts.map(() => new Set<string>());
    for (const file of files) {
      const i = byTable.get(file.table)!;
      table = layouts[i].table;
      const target = dialect.quote(temps[i]);
      if (dialect.copyFromS3 && config.s3?.iam_role) {
        await warehouse.query(dialect.copyFromS3(target, file.columns, file.url, config.s3.iam_role, config.s3.region));
      } else if (dialect.copyFromStdin) {
        await warehouse.copyFromStdin(dialect.copyFromStdin(target, file.columns), read(file));
      } else {
        throw new Error('loading csv.gz files with the redshift dialect needs "s3.iam_role" (Redshift COPYs them from S3)');
      }
      for (const c of file.columns) loaded[i].add(c);
      log.info('file loaded', { stream: plan.stream, table, url: file.url, rows: file.rows });
    }
    if (replace) {
      for (const layout of layouts) {
        table = layout.table;
        await warehouse.query(dialect.deleteAll(schema, layout.table));
      }
    } else if (plan.keyProperties.length > 0) {
      for (let i = 1; i < layouts.length; i++) {
        table = layouts[i].table;
        await warehouse.query(dialect.deleteUsing(schema, layouts[i].table, temps[0], plan.sourceKeyColumns.map((s, k) => [s, plan.keyColumns[k]])));
      }
      table = layouts[0].table;
      await warehouse.query(dialect.deleteUsing(schema, layouts[0].table, temps[0], plan.keyColumns.map((k) => [k, k])));
    }
    const hardDelete = config.hard_delete && layouts[0].columns.some((c) => c.name === '_sdc_deleted_at') ? '_sdc_deleted_at' : undefined;
    for (let i = 0; i < layouts.length; i++) {
      if (loaded[i].size === 0) continue;
      table = layouts[i].table;
      await warehouse.query(dialect.insertFromTemp(schema, layouts[i].table, temps[i], [...loaded[i]], i === 0 ? hardDelete : undefined));
    }
    for (const temp of temps) await warehouse.query(dialect.dropTemp(temp));
    await warehouse.query('COMMIT');
  } catch (error) {
    await warehouse.query('ROLLBACK').catch(() => undefined);
    throw new Error(`stream ${JSON.stringify(plan.stream)}: table ${JSON.stringify(table)}: loading ${files.length} file(s) from S3: ${(error as Error).message}`);
  } finally {
    await loader.reloadCatalog();
  }
}
