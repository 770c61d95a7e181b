import { LoadError as ObservesLoadError, TransientError, serializeJson, type ObservesErrorOptions } from '@observes/protocol';

/** Where a load failed: the stream and table always; the record's line, key and column when known. */
export interface FailurePlace {
  stream: string;
  table: string;
  /** Line of the record at fault. */
  line?: number;
  /** The record's key values (keyed streams). */
  key?: unknown[];
  column?: string;
  /** First input line of the batch, when no single record is known. */
  batchLine?: number;
}

/**
 * A load failed; nothing of the batch was applied. Names the record when it is known, as protocol errors do
 * (`line 12: stream "jobs": value of 70000 bytes is longer than … (key [7], table "jobs", column "title")`),
 * else the batch (`stream "jobs": table "jobs": batch starting at line 12: …`).
 */
export class LoadError extends ObservesLoadError {
  readonly place: FailurePlace;
  /**
   * @param problem - what went wrong (a database error's own text included, so the one-line log says it all)
   * @param options - `cause`: the error this one explains
   */
  constructor(place: FailurePlace, problem: string, options?: ObservesErrorOptions) {
    let message: string;
    if (place.line !== undefined) {
      const details = [
        ...(place.key ? [`key ${serializeJson(place.key)}`] : []),
        `table ${JSON.stringify(place.table)}`,
        ...(place.column ? [`column ${JSON.stringify(place.column)}`] : []),
      ];
      message = `line ${place.line}: stream ${JSON.stringify(place.stream)}: ${problem} (${details.join(', ')})`;
    } else {
      message = `stream ${JSON.stringify(place.stream)}: table ${JSON.stringify(place.table)}: ${place.batchLine === undefined ? '' : `batch starting at line ${place.batchLine}: `}${problem}`;
    }
    super(message, options);
    this.place = place;
  }
}

/** The message of any thrown value. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The error a failed load throws: a {@link LoadError} naming the place, caused by `cause`; a transient cause
 * (a dropped connection, a timeout) stays a `TransientError`, naming the place too, so a retry is still allowed.
 */
export function loadFailure(place: FailurePlace, problem: string, cause: unknown): LoadError | TransientError {
  const error = new LoadError(place, problem, { cause });
  return cause instanceof TransientError ? new TransientError(error.message, { cause }) : error;
}
