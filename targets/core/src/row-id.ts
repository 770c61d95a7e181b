import { createHash } from 'node:crypto';
import { serializeJson, type JsonRecord } from '@observes/protocol';

/**
 * A hash of the stream name and the record's exact JSON: the same record always gets the same id, so
 * identical records share it. target-s3 names its csv.gz rows with it; a target giving rows an identity
 * uses {@link RowIds}, which tells identical records apart.
 */
export function rootRowId(stream: string, record: JsonRecord): string {
  return createHash('sha256').update(stream).update('\u0000').update(serializeJson(record)).digest('hex').slice(0, 32);
}

/**
 * Root row ids (`_sdc_row_id`) of key-less streams: the first 32 hex digits of the SHA-256 of the run id, the
 * stream, the record's position in the input and the record's exact JSON. Unique per row across batches (the
 * position differs) and across runs (the run id differs); the same input replayed under the same run id (a
 * retried step of one `observes run`, which passes `OBSERVES_RUN_ID`) gets the same ids, so a replay can be
 * recognised rather than duplicated.
 */
export class RowIds {
  /** @param runId - identifies the run: `OBSERVES_RUN_ID`, a manifest's `run_id`, else a fresh random id */
  constructor(readonly runId: string) {}

  /** The id of the record read at `position` (its input line) of `stream`. */
  of(stream: string, position: number, record: JsonRecord): string {
    return createHash('sha256')
      .update(this.runId)
      .update('\u0000')
      .update(stream)
      .update('\u0000')
      .update(String(position))
      .update('\u0000')
      .update(serializeJson(record))
      .digest('hex')
      .slice(0, 32);
  }
}
