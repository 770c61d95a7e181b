import { InputError, nextSequence, parseJsonLossless, serializeJson, type CommitInfo, type CommittedState } from '@observes/protocol';
import type { Dialect } from './dialects/dialect.js';
import type { Warehouse } from './warehouse.js';

/** The target's commit record, one row per pipeline id, in the target schema. */
export const STATE_TABLE = '_sdc_state';

/** Largest state text the table holds (a varchar counts bytes). */
const MAX_STATE_BYTES = 65535;

/** PostgreSQL (and Redshift) errors of a table or schema that does not exist. */
const MISSING = new Set(['42P01', '3F000']);

/**
 * The schema's `_sdc_state` table: the last committed state of each pipeline with its sequence, run and
 * time. A flush writes its row in the transaction of the rows the state covers (Redshift has no upsert:
 * DELETE then INSERT), after taking the table's writer lock, which serializes the target's writers of the
 * schema. Values travel as bind parameters, so nothing depends on how the server reads literals.
 */
export class StateTable {
  constructor(
    private readonly warehouse: Warehouse,
    private readonly dialect: () => Dialect,
    private readonly schema: string,
    /** The pipeline id rows are filed under (`state_id`, `OBSERVES_PIPELINE`, else the schema). */
    readonly pipelineId: string,
  ) {}

  private get table(): string {
    return this.dialect().table(this.schema, STATE_TABLE);
  }

  /**
   * The statements every write transaction of the target runs first: the table created if missing (inside the
   * transaction, so a run whose writes roll back leaves nothing), then its writer lock.
   */
  writeLockStatements(): string[] {
    return [
      `CREATE TABLE IF NOT EXISTS ${this.table} (pipeline_id varchar(1024) NOT NULL, state varchar(${MAX_STATE_BYTES}) NOT NULL, run_id varchar(256), sequence bigint NOT NULL, committed_at timestamptz NOT NULL)`,
      this.dialect().lockWriters(this.schema, STATE_TABLE),
    ];
  }

  /** The pipeline's last committed state, or undefined (none, or no table yet). */
  async read(): Promise<CommittedState | undefined> {
    let rows: Record<string, unknown>[];
    try {
      rows = await this.warehouse.query(
        `SELECT state, sequence, run_id, committed_at FROM ${this.table} WHERE pipeline_id = $1 ORDER BY sequence DESC LIMIT 1`,
        [this.pipelineId],
      );
    } catch (error) {
      if (MISSING.has(String((error as { code?: unknown }).code))) return undefined;
      throw error;
    }
    const row = rows[0];
    if (!row) return undefined;
    const at = row.committed_at instanceof Date ? row.committed_at.toISOString() : String(row.committed_at);
    return {
      value: parseJsonLossless(String(row.state)),
      sequence: Number(row.sequence),
      ...(row.run_id ? { run_id: String(row.run_id) } : {}),
      committed_at: at,
    };
  }

  /**
   * Replaces the pipeline's row inside the caller's transaction (after {@link lockStatement}); the sequence is
   * one more than the larger of the row's and the runner's (`OBSERVES_STATE_SEQUENCE`).
   * @throws Error when the state is longer than the table holds
   */
  async write(value: unknown, runId: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<CommitInfo> {
    const text = serializeJson(value);
    const bytes = Buffer.byteLength(text);
    if (bytes > MAX_STATE_BYTES) throw new InputError(`a STATE of ${bytes} bytes is longer than the ${MAX_STATE_BYTES} bytes ${STATE_TABLE}.state holds`);
    const [current] = await this.warehouse.query(`SELECT max(sequence) AS sequence FROM ${this.table} WHERE pipeline_id = $1`, [this.pipelineId]);
    const commit: CommitInfo = {
      sequence: nextSequence(current?.sequence === null || current?.sequence === undefined ? undefined : Number(current.sequence), env),
      ...(runId ? { run_id: runId } : {}),
      committed_at: new Date().toISOString(),
    };
    await this.warehouse.query(`DELETE FROM ${this.table} WHERE pipeline_id = $1`, [this.pipelineId]);
    await this.warehouse.query(`INSERT INTO ${this.table} (pipeline_id, state, run_id, sequence, committed_at) VALUES ($1, $2, $3, $4, $5)`, [
      this.pipelineId,
      text,
      commit.run_id ?? null,
      commit.sequence,
      commit.committed_at,
    ]);
    return commit;
  }
}
