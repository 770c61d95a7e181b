import { ConfigError, InputError, type Logger } from '@observes/protocol';
import { layoutTable, type ColumnChange, type S3ManifestFile, type StreamPlan, type TablePlan } from '@observes/target-core';
import type { BatchLoader } from './batch-loader.js';
import type { TargetConfig } from './config.js';
import { applyLayouts, prepareLayouts, type LayoutToApply } from './apply-layouts.js';
import type { CsvFileFormat } from './dialects/dialect.js';
import { loadFailure, messageOf } from './load-error.js';
import type { Warehouse } from './warehouse.js';

/** Streams the gunzipped text of a file (postgres dialect: the rows go through COPY FROM STDIN). */
export type FileReader = (file: S3ManifestFile) => AsyncIterable<Buffer>;

/** One stream's files to load. */
export interface CsvLoad {
  plan: StreamPlan;
  files: S3ManifestFile[];
  /** Empty every table of the stream first (a full refresh); otherwise rows merge by key like a batch. */
  replace: boolean;
  /** How each file is written (default target-s3's: gzip, no header, `\N` for NULL). */
  formatOf?: (file: S3ManifestFile) => CsvFileFormat;
}

/** A stream's tables as the files need them, checked against the files. */
function layoutsOf(loader: BatchLoader, { plan, files }: CsvLoad): LayoutToApply[] {
  const wide = (table: TablePlan): TablePlan => ({
    ...table,
    columns: table.columns.map((c) => (c.type.kind === 'string' ? { ...c, type: { kind: 'string', bytes: loader.limits.varcharBytes } } : c)),
  });
  const layouts = plan.tables.map((t) => {
    const existing = loader.columnsOf(t.name);
    const layout = layoutTable(wide(t), existing, [], loader.limits);
    const widen: ColumnChange[] = [];
    for (const c of wide(t).columns) {
      const now = existing?.get(c.name);
      if (now?.kind === 'string' && c.type.kind === 'string' && now.bytes < c.type.bytes) widen.push({ name: c.name, from: now, to: c.type });
    }
    return { ...layout, widen };
  });
  for (const file of files) {
    const layout = layouts.find((l) => l.table === file.table);
    if (!layout)
      throw new InputError(`stream ${JSON.stringify(plan.stream)}: file ${file.url} holds table ${JSON.stringify(file.table)}, which its schema does not make`);
    const unknown = file.columns.filter((c) => !layout.columns.some((l) => l.name === c));
    if (unknown.length > 0)
      throw new InputError(`stream ${JSON.stringify(plan.stream)}: file ${file.url} has columns its schema does not make: ${unknown.join(', ')}`);
  }
  return layouts;
}

/**
 * Loads files of flattened rows (target-s3's `csv.gz`) into their streams' tables in ONE transaction, with
 * `alsoInTransaction` (the state row) before the commit: the redshift dialect COPYs each file straight from S3,
 * the postgres dialect streams it through COPY FROM STDIN. A `replace` stream's tables are emptied in the same
 * transaction (readers see the old rows or the new); otherwise rows merge by key like a batch. The values are
 * not seen before the COPY, so string columns are made the widest varchar (65535 in Redshift) (Redshift stores them compressed; only
 * the declared size grows).
 */
export async function loadCsvFiles(
  loader: BatchLoader,
  warehouse: Warehouse,
  config: TargetConfig,
  log: Logger,
  loads: CsvLoad[],
  read: FileReader,
  alsoInTransaction?: () => Promise<void>,
): Promise<void> {
  const schema = config.schema;
  const dialect = loader.dialect;
  const layoutsByStream = loads.map((load) => layoutsOf(loader, load));
  let where = { stream: loads[0]?.plan.stream ?? '', table: loads[0]?.plan.tables[0].name ?? '', files: 0 };
  const failed = (error: unknown) =>
    loadFailure({ stream: where.stream, table: where.table }, `loading ${where.files} file(s) from S3: ${messageOf(error)}`, error);
  try {
    for (const [n, layouts] of layoutsByStream.entries())
      await prepareLayouts(
        warehouse,
        dialect,
        schema,
        layouts,
        (name) => (where = { stream: loads[n].plan.stream, table: name, files: loads[n].files.length }),
      );
  } catch (error) {
    throw failed(error);
  }
  try {
    await loader.writes.transaction(
      async () => {
        for (const [n, { plan, files, replace, formatOf }] of loads.entries()) {
          const layouts = layoutsByStream[n];
          const at = (table: string) => (where = { stream: plan.stream, table, files: files.length });
          at(plan.tables[0].name);
          await applyLayouts(warehouse, dialect, schema, layouts, at);
          await loader.writes.merge({
            plan,
            tables: layouts.map((l) => l.table),
            fill: async (t, target) => {
              const loaded = new Set<string>();
              let rows = 0;
              for (const file of files.filter((f) => f.table === layouts[t].table)) {
                rows += file.rows;
                const format = formatOf?.(file);
                if (dialect.copyFromS3 && config.s3?.iam_role) {
                  await warehouse.query(dialect.copyFromS3(target, file.columns, file.url, config.s3.iam_role, config.s3.region, format));
                } else if (dialect.copyFromStdin) {
                  await warehouse.copyFromStdin(dialect.copyFromStdin(target, file.columns, format), read(file));
                } else {
                  throw new ConfigError('loading csv.gz files with the redshift dialect needs "s3.iam_role" (Redshift COPYs them from S3)');
                }
                for (const c of file.columns) loaded.add(c);
                log.info('file loaded', { stream: plan.stream, table: layouts[t].table, url: file.url, rows: file.rows });
              }
              return loaded.size > 0 ? { columns: [...loaded], rows } : undefined;
            },
            replace: replace ? 'all' : 'key',
            live: !replace,
            hardDeleteColumn: config.hard_delete && layouts[0].columns.some((c) => c.name === '_sdc_deleted_at') ? '_sdc_deleted_at' : undefined,
            onTable: at,
          });
        }
        await alsoInTransaction?.();
      },
      async (error) => failed(error),
    );
  } finally {
    await loader.reloadCatalog();
  }
}
