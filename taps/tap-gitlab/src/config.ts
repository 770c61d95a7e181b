import type { JsonSchema } from '@observes/protocol';

/** Settings of tap-gitlab (file, then `TAP_GITLAB_<SETTING>` environment overrides). */
export interface GitlabConfig {
  /** REST v4 root, e.g. `https://gitlab.com/api/v4` (the default) or a self-managed instance's. */
  api_url: string;
  /** Personal, project or group access token with `read_api` (and `api` for cancel-stuck-jobs); sent as `PRIVATE-TOKEN`. */
  token: string;
  /** Projects by numeric id or full path (`group/sub/project`). */
  projects?: (string | number)[];
  /** Groups by id or full path; every project of the group and its subgroups is synced. */
  groups?: (string | number)[];
  /** Where incremental streams start on a first run (ISO 8601); all history when absent. */
  start_date?: string;
  /** Page size, 1..100 (GitLab's maximum); default 100. */
  per_page: number;
  /** Client-side request rate limit; default 5 per second (GitLab.com allows 2,000 authenticated requests a minute). */
  requests_per_second: number;
  /**
   * How long a `manual` job may still be played (`24h`, `7d`): manual jobs created within it hold the jobs bookmark
   * like running ones, so a job played later is fetched again. Absent: manual jobs are final when first seen.
   */
  manual_jobs_window?: string;
}

const idOrPath: JsonSchema = { type: ['integer', 'string'], minLength: 1 };

/** JSON Schema of {@link GitlabConfig}: every problem is listed at start. */
export const gitlabConfigSchema: JsonSchema = {
  type: 'object',
  properties: {
    api_url: { type: 'string', format: 'uri', default: 'https://gitlab.com/api/v4', description: 'GitLab REST v4 root URL' },
    token: { type: 'string', minLength: 1, description: 'access token with read_api (api to cancel jobs), sent as PRIVATE-TOKEN' },
    projects: { type: 'array', items: idOrPath, description: 'project ids or full paths' },
    groups: { type: 'array', items: idOrPath, description: 'group ids or full paths (subgroups included)' },
    start_date: { type: 'string', format: 'date-time', description: 'first updated_at/committed date of incremental streams on a first run' },
    per_page: { type: 'integer', minimum: 1, maximum: 100, default: 100, description: 'page size' },
    requests_per_second: { type: 'number', exclusiveMinimum: 0, default: 5, description: 'client-side rate limit' },
    manual_jobs_window: {
      type: 'string',
      pattern: '^\\s*([0-9]+(\\.[0-9]+)?\\s*[smhdwSMHDW]\\s*)+$',
      description: 'manual jobs created within this duration (e.g. 24h) are fetched again until they run; absent: never',
    },
  },
  required: ['token'],
  anyOf: [
    { required: ['projects'], properties: { projects: { minItems: 1 } } },
    { required: ['groups'], properties: { groups: { minItems: 1 } } },
  ],
  additionalProperties: false,
};
