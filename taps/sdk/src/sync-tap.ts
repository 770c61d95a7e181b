import type { JsonRecord, JsonSchema, Logger, Message, MessageWriter, StateMessage } from '@observes/protocol';
import { pickFields, type StreamSelection } from '@observes/catalogs';
import { BookmarkStore, compareReplicationValues, defaultPartitionId, toBookmarkValue, type TapState } from './bookmarks.js';
import type { Clock } from './clock.js';
import type { HttpClient } from './http-client.js';
import type { Metrics } from './metrics.js';
import type { Partition, PartitionsContext, StreamContext, StreamDefinition, TapDefinition } from './tap-definition.js';

/** Everything a sync needs. */
export interface SyncOptions {
  tap: TapDefinition;
  config: Record<string, unknown>;
  http: HttpClient;
  /** Catalog selections by stream; `undefined` syncs every stream selected by default, all fields. */
  selection: Map<string, StreamSelection> | undefined;
  /** Input state (`{"bookmarks": ...}` or a STATE message), if any. */
  state: unknown;
  writer: MessageWriter;
  logger: Logger;
  metrics: Metrics;
  clock: Clock;
  /** Sorted incremental streams checkpoint STATE every this many records; default 1000. */
  stateEvery?: number;
}

/** How one stream is synced this run, after the catalog had its say. */
interface StreamPlan {
  definition: StreamDefinition;
  schema: JsonSchema;
  fields: Set<string> | undefined;
  /** Undefined for full-table. */
  replicationKey: string | undefined;
}

function plan(definition: StreamDefinition, selection: StreamSelection | undefined): StreamPlan {
  const fullTable = selection?.replicationMethod === 'FULL_TABLE' || !definition.replicationKey;
  if (selection?.replicationMethod === 'INCREMENTAL' && !definition.replicationKey) {
    throw new Error(`stream "${definition.name}" cannot be replicated INCREMENTAL: it has no replication key`);
  }
  const replicationKey = fullTable ? undefined : (selection?.replicationKey ?? definition.replicationKey);
  if (replicationKey && replicationKey !== definition.replicationKey) {
    throw new Error(`stream "${definition.name}" can only be bookmarked on "${definition.replicationKey}", not "${replicationKey}"`);
  }
  return { definition, schema: selection?.schema ?? definition.schema, fields: selection?.fields, replicationKey };
}

/**
 * Syncs the selected streams of a tap in declaration order: SCHEMA, RECORDs, STATE after the records it covers
 * (checkpoints for sorted streams, at partition end for unsorted ones), ACTIVATE_VERSION around full-table streams.
 * @returns the final state
 */
export async function syncTap(options: SyncOptions): Promise<TapState> {
  const { tap, writer, clock } = options;
  const store = new BookmarkStore(options.state);
  const byName = new Map(tap.streams.map((s) => [s.name, s]));
  const selected = tap.streams.filter((s) => (options.selection ? options.selection.has(s.name) : s.selectedByDefault !== false));
  for (const name of options.selection?.keys() ?? []) {
    if (!byName.has(name)) throw new Error(`the catalog selects stream "${name}", which tap-${tap.name} does not have`);
  }
  const stateEvery = options.stateEvery ?? 1000;
  let lastState = '';
  let stateIsLast = false;
  /** Writes a message other than STATE, so the run knows it must end with a STATE. */
  const write = async (message: Exclude<Message, StateMessage>) => {
    stateIsLast = false;
    await writer.write(message);
  };
  /** Writes the state when it changed (or, with `force`, when anything was written after the last STATE). */
  const emitState = async (force = false) => {
    const value = store.snapshot();
    const text = JSON.stringify(value);
    if (text === lastState && !(force && !stateIsLast)) return;
    lastState = text;
    stateIsLast = true;
    await writer.write({ type: 'STATE', value });
  };
  const startDate = typeof options.config.start_date === 'string' ? options.config.start_date : undefined;
  const baseContext = (stream: string, logger: Logger): PartitionsContext => ({
    config: options.config,
    http: options.http,
    logger,
    metrics: options.metrics,
    startDate,
    stream,
    now: () => clock.now(),
  });
  /** Partitions tried and skipped over the run: a run that read nothing fails. */
  let partitionsDone = 0;
  let partitionsSkipped = 0;
  /** The reason to skip the partition a stream failed on, if the stream says it is only that partition's failure. */
  const skipReason = (definition: StreamDefinition, error: unknown, partition: Partition | undefined, partitionId: string | undefined, logger: Logger) => {
    const reason = definition.skipPartitionOn?.(error, partition);
    if (reason === undefined) return undefined;
    partitionsSkipped++;
    logger.warn(`partition skipped: ${reason}`, { stream: definition.name, partition: partitionId, error: (error as Error)?.message ?? String(error) });
    options.metrics.counter('partition_skipped', 1, { stream: definition.name, partition: partitionId, reason });
    return reason;
  };
  const idOf = (definition: StreamDefinition, partition: Partition | undefined) =>
    partition === undefined ? undefined : (definition.partitionId ?? defaultPartitionId)(partition);

  const parentRecords = new Map<string, JsonRecord[]>();

  /** Every record of a stream, unemitted, over all its partitions: how parent-derived partitions are found. */
  async function* allRecords(definition: StreamDefinition): AsyncGenerator<JsonRecord> {
    const logger = options.logger.child({ stream: definition.name });
    for await (const partition of partitionsOf(definition, logger)) {
      // Read without a bookmark, so nothing to set or checkpoint.
      const context = {
        ...baseContext(definition.name, logger),
        bookmark: undefined,
        partition,
        setBookmark: () => {},
        progress: undefined,
        checkpoint: async () => {},
      };
      try {
        yield* definition.records(context);
      } catch (error) {
        if (skipReason(definition, error, partition, idOf(definition, partition), logger) === undefined) throw error;
      }
    }
  }

  async function* partitionsOf(definition: StreamDefinition, logger: Logger): AsyncGenerator<Partition | undefined> {
    const source = definition.partitions;
    if (!source) {
      yield undefined;
    } else if (typeof source === 'function') {
      yield* source(baseContext(definition.name, logger));
    } else {
      const parent = byName.get(source.parent);
      if (!parent) throw new Error(`stream "${definition.name}" names parent "${source.parent}", which is not declared`);
      // Several children of one parent (jobs, issues... of projects) read the parent's records once per run.
      let records = parentRecords.get(parent.name);
      if (!records) {
        records = [];
        for await (const record of allRecords(parent)) records.push(record);
        parentRecords.set(parent.name, records);
      }
      for (const record of records) yield source.partition(record);
    }
  }

  for (const definition of selected) {
    const streamPlan = plan(definition, options.selection?.get(definition.name));
    const { replicationKey, fields } = streamPlan;
    const stream = definition.name;
    const logger = options.logger.child({ stream });
    const sorted = definition.sortedByReplicationKey === true;
    await write({
      type: 'SCHEMA',
      stream,
      schema: streamPlan.schema,
      key_properties: definition.keyProperties,
      ...(replicationKey ? { bookmark_properties: [replicationKey] } : {}),
    });
    const version = replicationKey ? undefined : clock.now().getTime();
    if (version !== undefined && store.get(stream)?.version === undefined) {
      // First load of a full-table stream: activate at once so the target creates the (empty) table.
      await write({ type: 'ACTIVATE_VERSION', stream, version });
    }
    logger.info('syncing stream', { replication: replicationKey ? `INCREMENTAL by ${replicationKey}` : 'FULL_TABLE' });
    let count = 0;
    /** A full-table stream missing a partition must not be activated: that would drop the partition's rows. */
    let skippedPartition: string | undefined;
    for await (const partition of partitionsOf(definition, logger)) {
      const partitionId = idOf(definition, partition);
      const partitionLogger = partitionId === undefined ? logger : logger.child({ partition: partitionId });
      const bookmark = replicationKey ? store.resumeValue(stream, partitionId, replicationKey) : undefined;
      let max = bookmark;
      /** What the stream asked for with `ctx.setBookmark`: replaces `max` when the partition completes. */
      let chosen: string | number | undefined;
      let sinceCheckpoint = 0;
      // A stream declared sorted that is not must stop checkpointing: a later record could be older than the bookmark.
      let checkpoints = sorted;
      let previous: string | number | undefined;
      const advance = async (complete: boolean) => {
        if (!replicationKey) return;
        let value = max;
        // Mid-way, the chosen value may cover records not yielded yet: checkpoint no further than both.
        if (chosen !== undefined) value = complete || max === undefined || compareReplicationValues(chosen, max) < 0 ? chosen : max;
        if (value === undefined) return;
        store.set(stream, partitionId, { replication_key: replicationKey, replication_key_value: value });
        await emitState();
      };
      const setBookmark = (value: string | number) => {
        if (typeof value !== 'string' && typeof value !== 'number')
          throw new TypeError(`stream "${stream}": setBookmark takes a string or a number, not ${typeof value}`);
        if (replicationKey) chosen = value;
      };
      const checkpoint = async (update: { bookmark?: string | number; progress?: unknown }) => {
        if (!replicationKey) return;
        if (update.bookmark !== undefined) {
          setBookmark(update.bookmark);
          store.set(stream, partitionId, { replication_key: replicationKey, replication_key_value: update.bookmark });
        }
        if (update.progress === null) store.unset(stream, partitionId, 'progress');
        else if (update.progress !== undefined) store.set(stream, partitionId, { progress: structuredClone(update.progress) });
        await emitState();
      };
      const progress = replicationKey ? structuredClone(store.get(stream, partitionId)?.progress) : undefined;
      const context: StreamContext = { ...baseContext(stream, partitionLogger), bookmark, partition, setBookmark, progress, checkpoint };
      try {
        for await (const raw of definition.records(context)) {
          const record = pickFields(raw, fields);
          await write({
            type: 'RECORD',
            stream,
            record,
            time_extracted: clock.now().toISOString(),
            ...(version !== undefined ? { version } : {}),
          });
          count++;
          if (!replicationKey) continue;
          const value = toBookmarkValue(raw[replicationKey]);
          if (value !== undefined && (max === undefined || compareReplicationValues(value, max) > 0)) max = value;
          if (checkpoints && value !== undefined && previous !== undefined && compareReplicationValues(value, previous) < 0) {
            checkpoints = false;
            partitionLogger.warn(`records are not sorted by ${replicationKey}: the bookmark advances only when the stream completes`, { previous, value });
          }
          previous = value ?? previous;
          // Only a sorted stream may checkpoint mid-way: every record after this point has a value ≥ max.
          if (checkpoints && ++sinceCheckpoint >= stateEvery) {
            sinceCheckpoint = 0;
            await advance(false);
          }
        }
      } catch (error) {
        if (skipReason(definition, error, partition, partitionId, partitionLogger) === undefined) throw error;
        skippedPartition ??= partitionId ?? stream;
        continue;
      }
      partitionsDone++;
      await advance(true);
    }
    if (version !== undefined && skippedPartition !== undefined) {
      logger.warn('not activating this version: a partition was skipped, so the rows of earlier versions stay', { version, partition: skippedPartition });
    } else if (version !== undefined) {
      await write({ type: 'ACTIVATE_VERSION', stream, version });
      store.set(stream, undefined, { version });
      await emitState();
    }
    options.metrics.counter('record_count', count, { stream });
    logger.info('stream done', { records: count });
  }
  // Singer runs end with a STATE, so a runner always has the final bookmarks even when nothing advanced.
  await emitState(true);
  if (partitionsSkipped > 0 && partitionsDone === 0) {
    throw new Error(`nothing could be read: all ${partitionsSkipped} partitions tried were skipped (see the warnings)`);
  }
  return store.snapshot();
}
