import type { JsonRecord } from '@observes/protocol';
import { compareReplicationValues, defineStream, HttpError, loadSchema, type StreamContext, type StreamDefinition } from '@observes/tap-sdk';
import { backupsOf, type BackupStore } from './backup-store.js';
import type { TimedoctorConfig } from './config.js';
import { apiTime, dateWindows, type DateWindow } from './date-windows.js';
import { companyPartitions, type CompanyPartition } from './entity-streams.js';
import { apiWindowStart, fullTableRange, incrementalRange } from './extraction-range.js';
import { activityRecord, worklogRecord } from './record-shapes.js';
import { planRefresh } from './refresh-plan.js';
import { apiOf, type ActivityEndpoint } from './timedoctor-api.js';

/** How the tap runs its activity streams. */
export type RunMode = 'incremental' | 'full_refresh';

type Context = StreamContext<TimedoctorConfig, CompanyPartition>;

interface ActivitySpec {
  name: 'worklogs' | 'computer_activity';
  endpoint: ActivityEndpoint;
  /** The record's time: the replication key, and what places a record in a window and a month. */
  time: 'start' | 'date';
  keyProperties: string[];
  shape(row: JsonRecord, company: string): JsonRecord;
  /**
   * Whether a month the full refresh had to ask the API for, although older than the API's window and without a
   * backup, must not come back empty: a month without a single worklog means the API forgot it, while screenshots
   * may be off for a whole company.
   */
  monthsHaveData: boolean;
}

const inWindow = (record: JsonRecord, time: string, window: DateWindow): boolean => {
  const at = Date.parse(String(record[time]));
  return at >= window.from.getTime() && at < window.to.getTime();
};

/**
 * The records of `range` from the API, window by window in time order (sorted within each window), each record in
 * the one window its time falls in: a session the API also returns in the next window (if it answers by overlap)
 * is taken once, and a month's records come from that month only.
 */
async function* fromApi(ctx: Context, spec: ActivitySpec, range: DateWindow): AsyncGenerator<JsonRecord> {
  const company = ctx.partition!.company_id;
  for (const window of dateWindows(range, ctx.config.window_days)) {
    const rows = (await readWindow(ctx, spec, window)).filter((row) => inWindow(row, spec.time, window));
    rows.sort((a, b) => compareReplicationValues(String(a[spec.time]), String(b[spec.time])) || (spec.endpoint.key(a) < spec.endpoint.key(b) ? -1 : 1));
    for (const row of rows) yield spec.shape(row, company);
  }
}

/**
 * One window from the API. A refusal names the window and, for a window older than the months the API serves in
 * full, says that its data has to come from the backups: the reason the monthly backup exists.
 */
async function readWindow(ctx: Context, spec: ActivitySpec, window: DateWindow): Promise<JsonRecord[]> {
  try {
    return await apiOf(ctx).activity(spec.endpoint, ctx.partition!.company_id, window, ctx.logger);
  } catch (error) {
    if (!(error instanceof HttpError) || error.status === undefined || error.status < 400 || error.status >= 500) throw error;
    const old = window.from < apiWindowStart(ctx.config, ctx.now());
    const hint = old
      ? `: the window is older than the ${ctx.config.api_history_months} months (api_history_months) the API serves in full, so its data can only come from the monthly backups (set backups, or back the month up while the API still serves it)`
      : '';
    throw new Error(`${spec.name} ${apiTime(window.from)}..${apiTime(window.to)}: ${error.message}${hint}`);
  }
}

/** A month of a backup: the company's records whose time falls in `window`, once per key. */
async function* fromBackup(ctx: Context, spec: ActivitySpec, backups: BackupStore, month: string, window: DateWindow): AsyncGenerator<JsonRecord> {
  const company = ctx.partition!.company_id;
  const seen = new Set<string>();
  for await (const record of backups.records(month, spec.name)) {
    if (record.company_id !== company || !inWindow(record, spec.time, window)) continue;
    const key = spec.keyProperties.map((k) => String(record[k])).join('\u0000');
    if (seen.has(key)) continue;
    seen.add(key);
    yield record;
  }
}

/**
 * A full refresh from the backups and the API: month by month, from the API for the months it serves and from the
 * backup for older ones (see {@link planRefresh}), all in the run's one version.
 */
async function* fullRefresh(ctx: Context, spec: ActivitySpec, backups: BackupStore): AsyncGenerator<JsonRecord> {
  const manifests = await backups.allManifests();
  const range = fullTableRange(ctx.config, ctx.now(), [...manifests.keys()].sort()[0]);
  const complete = new Set(await backups.monthsWith(spec.name));
  for (const month of await backups.incompleteMonths(spec.name))
    ctx.logger.warn('a backup does not hold the whole stream (its run did not finish): not used', { month, backups: backups.url });
  for (const part of planRefresh({ range, apiHistoryMonths: ctx.config.api_history_months, backupMonths: complete, now: ctx.now() })) {
    let count = 0;
    const source = part.source === 'backup' ? fromBackup(ctx, spec, backups, part.month, part.window) : fromApi(ctx, spec, part.window);
    for await (const record of source) {
      count++;
      yield record;
    }
    ctx.logger.info('month done', { month: part.month, source: part.source, records: count });
    if (part.beyondApiWindow && count === 0) {
      const problem = `month ${part.month} of ${spec.name} has no complete backup in ${backups.url}, and the API, asked anyway although it only serves the last ${ctx.config.api_history_months} months in full, returned nothing for it`;
      if (spec.monthsHaveData)
        throw new Error(
          `${problem}: refusing to replace the table without that month. Back it up while the API still serves it (timedoctor-backup with BACKUP_MONTH=${part.month}) or start the refresh after it (start_date)`,
        );
      ctx.logger.warn(problem);
    }
  }
}

/**
 * An activity stream (work sessions, screenshot metadata) read by date windows. Incremental: bookmarked on its time
 * per company, each run from `lookback_days` before the bookmark (time edited later is read again; the target merges
 * by key) until now, the bookmark then set to where the run stopped reading. Full refresh: a full table over
 * `month`, or over the backups and the API when `backups` is set.
 */
function activityStream(spec: ActivitySpec, mode: RunMode): StreamDefinition<TimedoctorConfig, CompanyPartition> {
  return defineStream<TimedoctorConfig, CompanyPartition>({
    name: spec.name,
    schema: loadSchema('tap-timedoctor', spec.name),
    keyProperties: spec.keyProperties,
    ...(mode === 'incremental' ? { replicationKey: spec.time, sortedByReplicationKey: true } : {}),
    partitions: companyPartitions,
    async *records(ctx) {
      const backups = backupsOf(ctx);
      if (mode === 'full_refresh' && backups) return yield* fullRefresh(ctx, spec, backups);
      // A catalog may also replicate the incremental streams FULL_TABLE: then there is no bookmark.
      const range = mode === 'incremental' ? incrementalRange(ctx.config, ctx.now(), ctx.bookmark) : fullTableRange(ctx.config, ctx.now());
      yield* fromApi(ctx, spec, range);
      if (range.to > range.from) ctx.setBookmark(range.to.toISOString());
    },
  });
}

const worklogs: ActivitySpec = {
  name: 'worklogs',
  // `task-project-names` adds taskName/projectName to each row.
  endpoint: { path: 'activity/worklog', query: { 'task-project-names': true }, perUser: true, key: (row) => `${row.userId}\u0000${row.start}` },
  time: 'start',
  keyProperties: ['company_id', 'userId', 'start'],
  shape: worklogRecord,
  monthsHaveData: true,
};

const computerActivity: ActivitySpec = {
  name: 'computer_activity',
  endpoint: { path: 'files', query: {}, perUser: false, key: (row) => String(row.id) },
  time: 'date',
  keyProperties: ['company_id', 'id'],
  shape: activityRecord,
  monthsHaveData: false,
};

/** `worklogs` (`GET /activity/worklog`) and `computer_activity` (`GET /files`: screenshot metadata) for a run mode. */
export function activityStreams(mode: RunMode): StreamDefinition<TimedoctorConfig, CompanyPartition>[] {
  return [activityStream(worklogs, mode), activityStream(computerActivity, mode)];
}
