import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { Writable } from 'node:stream';
import { MessageWriter, pipelineId, type Logger } from '@observes/protocol';
import { OrphanedInputError, RecordEncodingPool, runTargetStream } from '@observes/target-core';
import { BatchLoader } from './batch-loader.js';
import type { Dialect } from './dialects/dialect.js';
import type { TargetConfig } from './config.js';
import { dialectFor } from './dialects/registry.js';
import { StateTable } from './state-table.js';
import { WarehouseSink } from './warehouse-sink.js';
import { openWarehouse, type Warehouse } from './warehouse.js';

export { OrphanedInputError };

/** Longest input line accepted (a SUPER value holds 16 MB). */
const MAX_LINE_BYTES = 64 * 1024 * 1024;

/**
 * Worker threads when `workers` is not set: the CPUs less one (the main thread loads), at most 3 (beyond that
 * the warehouse's load is the bound; see docs/performance.md), so none on one CPU. S3 staging leaves one more
 * CPU to gzip and the uploads (libuv's threads): on 2 CPUs a worker made it slower, not faster.
 */
export function defaultWorkers(cpus = availableParallelism(), staging = false): number {
  return Math.max(0, Math.min(3, cpus - (staging ? 2 : 1)));
}

/**
 * Worker threads this run uses: they encode CSV for COPY, so only dialects that COPY from the client or stage in S3
 * get them, and only without per-record metadata (`add_metadata_columns`, `hard_delete`), which the main thread fills.
 */
export function workersFor(config: TargetConfig, dialect: Dialect, staging: boolean): number {
  if (!(dialect.copyFromStdin || staging) || config.add_metadata_columns || config.hard_delete) return 0;
  return config.workers ?? defaultWorkers(availableParallelism(), staging);
}

/** Options of {@link runTarget}. */
export interface RunTargetOptions {
  /** Validated settings (see `loadConfig`). */
  config: TargetConfig;
  /** Singer messages (stdin, or a generated stream). */
  input: AsyncIterable<Buffer | string>;
  /** Where committed STATE lines go (stdout). */
  output: Writable;
  /** Where progress and errors are logged (stderr). */
  log: Logger;
  /** Identifies the run in key-less rows' `_sdc_row_id`. Default `OBSERVES_RUN_ID`, else a random id. */
  runId?: string;
  /**
   * Asked when the input ended: whether it really ended (`connectRunnerLink` of `@observes/protocol`: under
   * `observes run`, an input that ends because the runner died is not the end). When false nothing more is
   * committed: no last flush, no end-of-input replacement. Default: always true.
   */
  inputComplete?: () => Promise<boolean>;
  /** Environment (`OBSERVES_PIPELINE`, `OBSERVES_STATE_SEQUENCE`, `OBSERVES_RUN_ID`; default `process.env`). */
  env?: NodeJS.ProcessEnv;
}

/** The pipeline's commit record in the target schema (see {@link StateTable}). */
export function stateTableOf(warehouse: Warehouse, dialect: () => Dialect, config: TargetConfig, env: NodeJS.ProcessEnv = process.env): StateTable {
  return new StateTable(warehouse, dialect, config.schema, pipelineId(config.state_id, config.schema, env));
}

/**
 * Reads a Singer stream and loads it, through the target runtime of `@observes/target-core` and a
 * {@link WarehouseSink}. A STATE line is written to `output` only once every record before it is committed,
 * and it is committed with them: each flush (all streams' batches and the STATE they lead to) is one
 * transaction that also writes the state into the schema's `_sdc_state` table, so a crash between the commit
 * and the echo loses nothing (`--committed-state` reads it back). Batches flush by rows (per stream), bytes
 * (all streams) and age (also while the input is idle); any flush flushes every stream so the latest state can follow.
 */
export async function runTarget({ config, input, output, log, runId, inputComplete, env = process.env }: RunTargetOptions): Promise<void> {
  const warehouse = await openWarehouse(config);
  const definition = dialectFor(warehouse.dialect);
  const dialect = definition.defaultSql;
  // The AWS SDK takes a while to load: only when S3 staging is configured.
  const stager = config.s3?.iam_role && dialect.copyFromS3 ? new (await import('./s3-staging.js')).S3Stager(config.s3) : undefined;
  const run = runId ?? env.OBSERVES_RUN_ID ?? randomUUID();
  // The state table spells its SQL in the loader's dialect, as the loader reads it from the server at init.
  const stateTable = stateTableOf(warehouse, () => loader.dialect, config, env);
  const loader = new BatchLoader(warehouse, definition, config, log, { stager, runId: run, writeLock: () => stateTable.writeLockStatements() });
  const workers = workersFor(config, dialect, stager !== undefined);
  const pool =
    workers > 0 ? new RecordEncodingPool<unknown>({ workerUrl: new URL('./fast-rows-worker.js', import.meta.url), workers, init: { runId: run } }) : undefined;
  const sink = new WarehouseSink({ config, loader, stateTable, log, runId: run, env, encoding: pool !== undefined });
  let done = false;
  try {
    const { messages } = await runTargetStream({
      sink,
      input,
      output: new MessageWriter(output),
      log,
      policy: { maxAgeMs: config.batch_max_age_seconds * 1000, stateFlush: 'when-empty' },
      maxLineBytes: MAX_LINE_BYTES,
      validateRecords: config.validate_records,
      invalidText: config.invalid_text,
      inputComplete,
      orphaned: 'nothing more committed, no end-of-input replacement',
      encoding: pool && { pool, source: sink.encodingSource() },
    });
    if (messages === 0) log.warn('empty input: no Singer message was read (did the tap write its messages to stdout?)');
    log.info('done', { messages, records_loaded: sink.loaded, ...(pool ? { workers, encoded_by_workers: sink.encodedByWorkers } : {}) });
    done = true;
  } finally {
    if (pool) {
      if (!done) log.info('worker threads', { workers, encoded_by_workers: sink.encodedByWorkers });
      await pool.close();
    }
    stager?.close();
    await warehouse.close().catch(() => undefined);
  }
}
