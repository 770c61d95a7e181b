import { defineTap, type TapDefinition } from '@observes/tap-sdk';
import { activityStreams, type RunMode } from './activity-streams.js';
import { timedoctorConfigSchema, type TimedoctorConfig } from './config.js';
import { monthWindow } from './date-windows.js';
import { projectsStream, tasksStream, usersStream } from './entity-streams.js';
import { apiWindowStart } from './extraction-range.js';
import { secretRegisteringFetch } from './timedoctor-session.js';

/**
 * The rules JSON Schema cannot word. `month` with `backups`: one backs a month up, the other refreshes from all
 * backups. A `month` older than the API's window: its backup would be replaced by what the API still has of it,
 * possibly nothing, and the month lost for good.
 */
function checkModes(config: TimedoctorConfig, now: Date): void {
  if (config.month && config.backups)
    throw new Error('invalid config: month and backups exclude each other (month backs one month up; backups refreshes the warehouse from every backup)');
  if (config.month && monthWindow(config.month).from < apiWindowStart(config, now)) {
    throw new Error(
      `invalid config: month ${config.month} is older than the ${config.api_history_months} months (api_history_months) the API serves in full; ` +
        "backing it up now would replace the month's backup with what the API still has of it, possibly nothing. If the API does still serve it, raise api_history_months",
    );
  }
}

function timedoctorTap(mode: RunMode, now: () => Date): TapDefinition<TimedoctorConfig> {
  return defineTap<TimedoctorConfig>({
    name: 'timedoctor',
    version: '0.1.0',
    description:
      mode === 'incremental'
        ? 'Time Doctor 2 tap: users, projects, tasks (full tables) and worklogs and screenshot metadata by date windows, bookmarked per company'
        : 'Time Doctor 2 tap, full refresh: every stream a full table over one month (month) or over the monthly backups and the API (backups)',
    configSchema: timedoctorConfigSchema,
    // The SDK calls this with the validated config before any output: the place for the rules of checkModes.
    http: (config) => {
      checkModes(config, now());
      return { baseUrl: config.api_url, requestsPerSecond: config.requests_per_second, fetch: secretRegisteringFetch };
    },
    streams: [usersStream, projectsStream, tasksStream, ...activityStreams(mode)],
  });
}

const systemClock = () => new Date();

/** tap-timedoctor as it runs without `month` or `backups`: activity bookmarked per company. */
export const tap = timedoctorTap('incremental', systemClock);

/** tap-timedoctor with `month` (a monthly backup) or `backups` (the warehouse's full refresh): every stream a full table. */
export const fullRefreshTap = timedoctorTap('full_refresh', systemClock);

/**
 * The definition a config runs: a full refresh with `month` or `backups`, incremental otherwise; `now` is the run's
 * clock (the SDK's, frozen by `OBSERVES_FROZEN_TIME`) for the checks made before the run starts.
 */
export function tapFor(config: Partial<TimedoctorConfig> | undefined, now: () => Date = systemClock): TapDefinition<TimedoctorConfig> {
  return timedoctorTap(config?.month || config?.backups ? 'full_refresh' : 'incremental', now);
}
