import { defineTap, type TapDefinition } from '@observes/tap-sdk';
import { activityStreams, type RunMode } from './activity-streams.js';
import { TIMEDOCTOR_SECRETS, timedoctorConfigSchema, type TimedoctorConfig } from './config.js';
import { projectsStream, tasksStream, usersStream } from './entity-streams.js';
import { secretRegisteringFetch } from './timedoctor-session.js';

/** Refuses `month` with `backups`: one backs a month up, the other refreshes from all backups. */
function checkModes(config: TimedoctorConfig): void {
  if (config.month && config.backups) throw new Error('invalid config: month and backups exclude each other (month backs one month up; backups refreshes the warehouse from every backup)');
}

function timedoctorTap(mode: RunMode): TapDefinition<TimedoctorConfig> {
  return defineTap<TimedoctorConfig>({
    name: 'timedoctor',
    version: '0.1.0',
    description:
      mode === 'incremental'
        ? 'Time Doctor 2 tap: users, projects, tasks (full tables) and worklogs and screenshot metadata by date windows, bookmarked per company'
        : 'Time Doctor 2 tap, full refresh: every stream a full table over one month (month) or over the monthly backups and the API (backups)',
    configSchema: timedoctorConfigSchema,
    secrets: TIMEDOCTOR_SECRETS,
    // The SDK calls this with the validated config before any output: the place for the rule JSON Schema cannot word.
    http: (config) => {
      checkModes(config);
      return { baseUrl: config.api_url, requestsPerSecond: config.requests_per_second, fetch: secretRegisteringFetch };
    },
    streams: [usersStream, projectsStream, tasksStream, ...activityStreams(mode)],
  });
}

/** tap-timedoctor as it runs without `month` or `backups`: activity bookmarked per company. */
export const tap = timedoctorTap('incremental');

/** tap-timedoctor with `month` (a monthly backup) or `backups` (the warehouse's full refresh): every stream a full table. */
export const fullRefreshTap = timedoctorTap('full_refresh');

/** The definition a config runs: a full refresh with `month` or `backups`, incremental otherwise. */
export function tapFor(config: Partial<TimedoctorConfig> | undefined): TapDefinition<TimedoctorConfig> {
  return config?.month || config?.backups ? fullRefreshTap : tap;
}
