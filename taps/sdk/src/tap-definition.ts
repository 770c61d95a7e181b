import type { JsonRecord, JsonSchema, Logger } from '@observes/protocol';
import type { HttpClient, HttpClientOptions } from './http-client.js';
import type { Metrics } from './metrics.js';

/** A partition of a stream (a project, an account...): plain JSON values; bookmarks are kept per partition. */
export type Partition = Record<string, unknown>;

/** What a stream's `records` generator gets. */
export interface StreamContext<Config = Record<string, unknown>, P extends Partition = Partition> {
  /** The validated config (file, then `TAP_<NAME>_<SETTING>` overrides, then schema defaults). */
  config: Config;
  /** The tap's HTTP client: retries, rate limit, pagination, record/replay. */
  http: HttpClient;
  /**
   * The replication-key value to resume from for this stream and partition (fetch records at or after it;
   * bookmarks compare with ≥ because delivery is at least once). `undefined` on a first run and for full-table streams.
   */
  bookmark: string | number | undefined;
  /** The current partition; `undefined` when the stream has no partitions. */
  partition: P | undefined;
  /** Logger tagged with the stream (and partition). */
  logger: Logger;
  /** The run's Singer METRIC lines (e.g. a counter of what was skipped, and why). */
  metrics: Metrics;
  /** `config.start_date` when the tap has one: where a first incremental run starts. */
  startDate: string | undefined;
  /** Name of the stream being synced. */
  stream: string;
  /** The run's clock (frozen by `OBSERVES_FROZEN_TIME`): use it instead of `Date.now()` so golden outputs are stable. */
  now(): Date;
  /**
   * Takes control of this partition's bookmark, for streams whose records cannot all be bookmarked past (e.g. CI
   * jobs still running, which must be fetched again). By default the bookmark becomes the highest replication-key
   * value written; once this is called, the partition's final bookmark is the last value set here instead, higher
   * or lower than what was written (it may even stay below `ctx.bookmark`, so the next run fetches those again).
   * The value is the stream's promise that every record up to it has been yielded and will not change.
   *
   * It can be called before or after yielding the records it covers: the SDK stores it only when the partition
   * completes, after every record yielded was written. Sorted streams keep checkpointing, but a checkpoint never
   * goes past the value set here (nor past the highest value written). Ignored for a stream the catalog
   * replicates FULL_TABLE, which has no bookmark.
   */
  setBookmark(value: string | number): void;
  /**
   * What this partition saved with {@link checkpoint}'s `progress` in an earlier run (any JSON value), or
   * `undefined`: where a long walk stopped, so that it resumes there instead of starting over.
   */
  progress: unknown;
  /**
   * Emits a STATE now, covering every record yielded so far (they were all written when the generator runs
   * again), for streams that know their position better than the records say:
   * - `progress` is kept in the partition's state and handed back as `ctx.progress` next run (`null` clears it);
   *   it stays until replaced or cleared, also when the partition completes;
   * - `bookmark` sets the partition's bookmark now, with the promise of {@link setBookmark} (every record up to it
   *   was yielded and is final), and is also its final bookmark unless set again.
   *
   * Ignored (nothing is emitted) when the catalog replicates the stream FULL_TABLE.
   */
  checkpoint(update: { bookmark?: string | number; progress?: unknown }): Promise<void>;
}

/** Context for computing a stream's partitions. */
export type PartitionsContext<Config = Record<string, unknown>> = Omit<
  StreamContext<Config, never>,
  'bookmark' | 'partition' | 'setBookmark' | 'progress' | 'checkpoint'
>;

/** Partitions derived from the records of a parent stream (one partition per parent record). */
export interface ParentPartitions<P extends Partition = Partition> {
  /** Name of the parent stream (declared in the same tap). */
  parent: string;
  /** Maps a parent record to the partition of this stream, e.g. `(project) => ({ project_id: project.id })`. */
  partition(record: JsonRecord): P;
}

/** A stream declared as data. The SDK owns schema messages, selection, bookmarks, state and versions. */
export interface StreamDefinition<Config = any, P extends Partition = any> {
  /** Stream name (`tap_stream_id`), e.g. `merge_requests`. */
  name: string;
  /** JSON Schema of the records, usually `loadSchema('tap-x', name)` from `@observes/catalogs`. */
  schema: JsonSchema;
  /** Primary key fields; `[]` for none. */
  keyProperties: string[];
  /** Field bookmarks are kept on; omit for a full-table stream (ACTIVATE_VERSION around each run). */
  replicationKey?: string;
  /**
   * Whether records come in ascending replication-key order. Sorted streams checkpoint STATE as they go;
   * unsorted ones only advance the bookmark when the stream (partition) completes. Default false.
   */
  sortedByReplicationKey?: boolean;
  /** Split the stream: a generator of partitions, or the records of a parent stream. Bookmarks are per partition. */
  partitions?: ((ctx: PartitionsContext<Config>) => AsyncIterable<P> | Iterable<P>) | ParentPartitions<P>;
  /** Stable id of a partition in the state; default `key=value` pairs in key order joined by `&`. */
  partitionId?: (partition: P) => string;
  /** Whether the stream is selected when a catalog does not say; default true. */
  selectedByDefault?: boolean;
  /**
   * Says which failures only make one partition unavailable (a GitLab project whose CI/CD is disabled answers 403
   * on its pipelines): return the reason, and the SDK skips that partition with a warning and a
   * `partition_skipped` METRIC instead of failing the run. The partition's bookmark stays where its last STATE
   * left it; a full-table stream with a skipped partition is not activated this run (its rows from earlier
   * versions stay). The run still fails when every partition it tried was skipped. Default: every failure fails.
   */
  skipPartitionOn?: (error: unknown, partition: P | undefined) => string | undefined;
  /** The records of one partition (or of the stream). Yield plain JSON objects; the SDK adds envelopes. */
  records(ctx: StreamContext<Config, P>): AsyncIterable<JsonRecord>;
}

/** What a custom subcommand (e.g. `cancel-stuck-jobs`) gets. */
export interface CommandContext<Config = any> {
  config: Config;
  http: HttpClient;
  logger: Logger;
  /** Parsed command-line arguments (yargs). */
  args: Record<string, unknown>;
  /** Writes one line of the command's report to stdout. */
  print(line: string): void;
  now(): Date;
}

/** A subcommand of the tap's CLI, run with the tap's validated config and HTTP client. */
export interface TapCommand<Config = any> {
  /** One-line help text. */
  describe: string;
  /** yargs options of the command, e.g. `{ project: { type: 'string', demandOption: true } }`. */
  options?: Record<string, { type?: 'string' | 'number' | 'boolean'; describe?: string; demandOption?: boolean; default?: unknown }>;
  /** Runs the command; throw to fail with a non-zero exit. */
  run(ctx: CommandContext<Config>): Promise<void>;
}

/** A tap declared as data. */
export interface TapDefinition<Config = any> {
  /** Short name without `tap-` (e.g. `gitlab`): names the CLI, logs and the `TAP_<NAME>_<SETTING>` variables. */
  name: string;
  /** Version printed by `--version` and `--about`. */
  version: string;
  /** One line for `--about` and `--help`. */
  description?: string;
  /**
   * The settings, declared once with `setting` from `@observes/protocol` (a JSON Schema whose properties carry a
   * `description`, a `default` and `secret: true` for credentials); every error is listed at start, `default`s
   * applied, secrets registered for redaction in logs, errors and recordings. `--help`, `--about` and the README's
   * settings table derive from it.
   */
  configSchema: JsonSchema;
  /** @deprecated mark the settings `secret: true` in {@link configSchema} instead. */
  secrets?: string[];
  /** HTTP client options, possibly computed from the config (base URL, auth headers, rate limit). */
  http?: HttpClientOptions | ((config: Config) => HttpClientOptions);
  /** The streams, synced in this order (declare parents before children). */
  streams: StreamDefinition<Config, any>[];
  /** Extra subcommands, e.g. `{ 'cancel-stuck-jobs': {...} }`. */
  commands?: Record<string, TapCommand<Config>>;
}

/** Declares a tap. An identity function that gives type inference. */
export function defineTap<Config = Record<string, unknown>>(tap: TapDefinition<Config>): TapDefinition<Config> {
  return tap;
}

/** Declares a stream. An identity function that gives type inference for the config and the partition. */
export function defineStream<Config = Record<string, unknown>, P extends Partition = Partition>(
  stream: StreamDefinition<Config, P>,
): StreamDefinition<Config, P> {
  return stream;
}
